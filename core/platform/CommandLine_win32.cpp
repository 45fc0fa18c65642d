#include "CommandLine_win32.h"

#include "Win32Text_win32.h"

#include <stdexcept>

namespace TokenBroker::Win32 {

std::wstring quoteArgument(const std::wstring& arg)
{
    if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos)
        return arg;
    std::wstring quoted = L"\"";
    std::size_t backslashes = 0;
    for (wchar_t c : arg)
    {
        if (c == L'\\')
        {
            ++backslashes;
            continue;
        }
        // Backslashes are literal unless a quote follows: then each one
        // is escaped, and so is the quote.
        quoted.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
        quoted += c;
        backslashes = 0;
    }
    // Before the closing quote, too.
    quoted.append(backslashes * 2, L'\\');
    return quoted + L"\"";
}

std::wstring commandLine(const std::vector<std::string>& argv)
{
    if (argv.empty())
        throw std::invalid_argument("no command");
    const std::wstring program = wide(argv[0]);
    if (program.find(L'"') != std::wstring::npos)
        throw std::invalid_argument("a program name cannot contain '\"': " + argv[0]);
    std::wstring line = program.empty() || program.find_first_of(L" \t") != std::wstring::npos
                            ? L"\"" + program + L"\""
                            : program;
    for (std::size_t i = 1; i < argv.size(); ++i)
        line += L" " + quoteArgument(wide(argv[i]));
    return line;
}

} // namespace TokenBroker::Win32
