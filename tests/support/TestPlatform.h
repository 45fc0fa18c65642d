#pragma once

#include <boost/test/unit_test.hpp>

#include <string>

namespace TokenBroker::Test {

/// True in the Windows build (TestPlatform_win32.cpp), for the cases that
/// cannot mean anything there.
bool onWindows();

/// `path` in the platform's own spelling, as the broker reports paths:
/// unchanged on POSIX, backslashes on Windows (Poco::Path::toString()).
std::string nativePath(const std::string& path);

/// Text a program wrote with the platform's line ends, read with "\n":
/// unchanged on POSIX, "\r\n" -> "\n" on Windows.
std::string fromPlatformLineEnds(std::string text);

/// The send() flag that keeps a write to a closed socket from raising
/// SIGPIPE (MSG_NOSIGNAL); 0 on Windows, which has no SIGPIPE.
int noSigpipeFlag();

/// The reason every POSIX mode/owner case gives on Windows.
inline constexpr const char* kPosixPermissions = "POSIX permissions; Windows ACLs are tested in tests/windows";

} // namespace TokenBroker::Test

/// Ends the current test case on Windows, printing why it cannot mean
/// anything there (each use is listed in the Windows test report).
#define TOKENBROKER_SKIP_ON_WINDOWS(reason)                                       \
    do                                                                            \
    {                                                                             \
        if (::TokenBroker::Test::onWindows())                                     \
        {                                                                         \
            BOOST_TEST_MESSAGE("skipped on Windows: " << (reason));               \
            return;                                                               \
        }                                                                         \
    } while (false)
