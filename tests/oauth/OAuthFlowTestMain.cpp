// The login flows (device, web, pkce) and their configuration checks; the
// cases live in DeviceLoginTest.cpp, BrowserLoginTest.cpp, OAuthCheckTest.cpp.
#define BOOST_TEST_MODULE OAuthFlowTest
#include <boost/test/unit_test.hpp>
