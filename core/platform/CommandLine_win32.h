#pragma once

// How an argv becomes the one command line Windows passes to a program (not
// a platform interface: HookProcess_win32.cpp and the Windows tests use it).

#include <string>
#include <vector>

namespace TokenBroker::Win32 {

/// `arg` written so that CommandLineToArgvW (and the C runtime's argv
/// parser) gives it back unchanged: left as is when it has no space, tab,
/// newline or quote and is not empty; otherwise in quotes, with each quote
/// preceded by a backslash and the backslashes before a quote (or before the
/// closing quote) doubled. Other backslashes are literal in these rules.
std::wstring quoteArgument(const std::wstring& arg);

/// argv[0] and the arguments as one command line for CreateProcessW. The
/// program name follows the simpler rule Windows applies to it (it ends at
/// the next quote, backslashes are literal), so it is quoted when it has a
/// space or tab and may not contain a quote (std::invalid_argument; no
/// Windows file name has one).
std::wstring commandLine(const std::vector<std::string>& argv);

} // namespace TokenBroker::Win32
