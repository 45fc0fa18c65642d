#pragma once

// Small helpers shared by the OutputsTest sources: real file-system state
// (listings; modes, umask and mounts in PosixSystem.h), and the hammer
// reader's report.

#include "ChildProcess.h"
#include "PosixSystem.h"

#include <boost/test/unit_test.hpp>

#include <Poco/File.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

namespace TokenBroker::Test {

inline bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

/// The names in a directory (sorted), so tests can see leftover temporary
/// files.
inline std::vector<std::string> entries(const std::string& dir)
{
    std::vector<std::string> names;
    Poco::File(dir).list(names);
    std::sort(names.begin(), names.end());
    return names;
}

/// What tokenbroker-atomic-reader saw.
struct ReaderReport
{
    unsigned long reads = 0;
    unsigned long bad = 0;
    std::vector<unsigned long> seen;  ///< reads matching each allowed content
    std::string text;                 ///< the reader's whole output
};

/// Stops the reader (requestStop) and parses its summary line.
inline ReaderReport stopReader(ChildProcess& reader)
{
    reader.requestStop();
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
