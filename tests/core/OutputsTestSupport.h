#pragma once

// Small helpers shared by the OutputsTest sources: real file-system state
// (listings, modes), umask and mount scopes, and the hammer reader's report.

#include "ChildProcess.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/mount.h>
#include <sys/stat.h>
#include <vector>

namespace TokenBroker::Test {

inline bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

/// The names in a directory (sorted, without . and ..), so tests can see
/// leftover temporary files.
inline std::vector<std::string> entries(const std::string& dir)
{
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (!d)
        throw std::runtime_error("cannot list " + dir);
    while (struct dirent* e = ::readdir(d))
    {
        std::string name = e->d_name;
        if (name != "." && name != "..")
            names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

inline struct stat statOf(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw std::runtime_error("cannot stat " + path + ": " + std::strerror(errno));
    return st;
}

/// Permission bits (07777) of a path.
inline unsigned modeOf(const std::string& path)
{
    return statOf(path).st_mode & 07777;
}

/// Sets the process umask for one scope.
class ScopedUmask
{
public:
    explicit ScopedUmask(mode_t mask) : _old(::umask(mask)) {}
    ~ScopedUmask() { ::umask(_old); }
    ScopedUmask(const ScopedUmask&) = delete;
    ScopedUmask& operator=(const ScopedUmask&) = delete;

private:
    mode_t _old;
};

/// A tmpfs mounted over `dir` for one scope (needs root); mounted() says
/// whether it worked, so a test can skip where mounting is not allowed.
class ScopedMount
{
public:
    ScopedMount(std::string dir, unsigned long flags, const std::string& options)
        : _dir(std::move(dir))
    {
        if (::mount("tmpfs", _dir.c_str(), "tmpfs", flags, options.c_str()) == 0)
            _mounted = true;
        else
            _error = std::strerror(errno);
    }
    ~ScopedMount()
    {
        if (_mounted)
            ::umount2(_dir.c_str(), MNT_DETACH);
    }
    ScopedMount(const ScopedMount&) = delete;
    ScopedMount& operator=(const ScopedMount&) = delete;

    bool mounted() const { return _mounted; }
    const std::string& error() const { return _error; }

private:
    std::string _dir;
    bool _mounted = false;
    std::string _error;
};

/// What tokenbroker-atomic-reader saw.
struct ReaderReport
{
    unsigned long reads = 0;
    unsigned long bad = 0;
    std::vector<unsigned long> seen;  ///< reads matching each allowed content
    std::string text;                 ///< the reader's whole output
};

/// Stops the reader with SIGTERM and parses its summary line.
inline ReaderReport stopReader(ChildProcess& reader)
{
    reader.signal(SIGTERM);
    auto status = reader.wait(std::chrono::seconds(30));
    BOOST_TEST_REQUIRE(status.has_value(), "the reader did not stop");
    BOOST_TEST_REQUIRE(*status == 0, "reader exit status " << *status << ": " << reader.err());
    ReaderReport report;
    report.text = reader.out();
    const auto summary = report.text.find("reads=");
    BOOST_TEST_REQUIRE(summary != std::string::npos, "no summary from the reader: " << report.text);
    std::istringstream in(report.text.substr(summary));
    char sep = 0;
    std::string word;
    std::getline(in, word, '=');
    in >> report.reads;
    in >> word;  // "bad=M"
    report.bad = std::stoul(word.substr(word.find('=') + 1));
    in >> word;  // "seen=a,b"
    std::istringstream seen(word.substr(word.find('=') + 1));
    unsigned long count = 0;
    while (seen >> count)
    {
        report.seen.push_back(count);
        seen >> sep;
    }
    return report;
}

} // namespace TokenBroker::Test
