#pragma once

#include <map>
#include <string>
#include <vector>

namespace TokenBroker::Test {

/// `tokenbroker status`'s table, read the way a person reads it: the first
/// line names the columns, and each cell starts where its heading does.
/// One map per profile row, heading -> cell (trailing spaces removed).
/// Throws std::runtime_error when the text is no such table (no heading,
/// or a row whose cell boundaries cut through text).
std::vector<std::map<std::string, std::string>> statusTable(const std::string& output);

/// The row of `profile`; throws std::runtime_error when there is none.
std::map<std::string, std::string> statusRow(const std::string& output, const std::string& profile);

} // namespace TokenBroker::Test
