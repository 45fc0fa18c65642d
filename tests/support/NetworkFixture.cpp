// Linked into every suite: sockets work before the first case. With static
// POCO on Windows nothing else calls WSAStartup; elsewhere this is a no-op.

#include <boost/test/unit_test.hpp>

#include <Poco/Net/Net.h>

namespace {

struct NetworkFixture
{
    NetworkFixture() { Poco::Net::initializeNetwork(); }
    ~NetworkFixture() { Poco::Net::uninitializeNetwork(); }
};

} // namespace

BOOST_TEST_GLOBAL_FIXTURE(NetworkFixture);
