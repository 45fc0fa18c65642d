#include "StatusTable.h"

#include <sstream>
#include <stdexcept>

namespace TokenBroker::Test {

namespace {

std::string trimmed(std::string text)
{
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    return text;
}

} // namespace

std::vector<std::map<std::string, std::string>> statusTable(const std::string& output)
{
    std::istringstream in(output);
    std::string header;
    if (!std::getline(in, header) || header.rfind("PROFILE ", 0) != 0)
        throw std::runtime_error("no status table (the first line names no columns):\n" + output);
    // Headings are separated by two spaces or more ("NEXT REFRESH" is one).
    std::vector<std::pair<std::size_t, std::string>> columns;
    for (std::size_t at = 0; at < header.size();)
    {
        const std::size_t end = header.find("  ", at);
        columns.emplace_back(at, header.substr(at, end == std::string::npos ? std::string::npos : end - at));
        if (end == std::string::npos)
            break;
        at = header.find_first_not_of(' ', end);
    }
    std::vector<std::map<std::string, std::string>> rows;
    for (std::string line; std::getline(in, line);)
    {
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < columns.size(); ++i)
        {
            const std::size_t start = columns[i].first;
            const std::size_t end = i + 1 < columns.size() ? columns[i + 1].first : std::string::npos;
            if (start > 0 && start < line.size() && line[start - 1] != ' ')
                throw std::runtime_error("column '" + columns[i].second + "' is not aligned in: " + line);
            row[columns[i].second] = start < line.size() ? trimmed(line.substr(start, end == std::string::npos
                                                                                          ? std::string::npos
                                                                                          : end - start))
                                                         : std::string();
        }
        rows.push_back(row);
    }
    return rows;
}

std::map<std::string, std::string> statusRow(const std::string& output, const std::string& profile)
{
    for (const auto& row : statusTable(output))
    {
        if (row.at("PROFILE") == profile)
            return row;
    }
    throw std::runtime_error("no row for profile " + profile + " in:\n" + output);
}

} // namespace TokenBroker::Test
