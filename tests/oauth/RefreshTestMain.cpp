// Refresh-token rotation, failures that must keep the token, and two
// processes sharing a state_dir; the cases live in Refresh*Test.cpp and
// ConcurrentRefreshTest.cpp.
#define BOOST_TEST_MODULE RefreshTest
#include <boost/test/unit_test.hpp>
