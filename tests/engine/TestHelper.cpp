// tokenbroker-test-helper: small portable stand-ins for the Unix tools the
// engine tests used to run, so the same cases run on Windows.
//
//   tokenbroker-test-helper hold-lock PATH SECONDS
//       takes the broker's own lock on PATH (as `tokenbroker login` in
//       another process would), prints "locked", holds it SECONDS
//   tokenbroker-test-helper touch PATH
//       creates PATH (an on_rotate hook that leaves a trace)
//   tokenbroker-test-helper hook ACTION...
//       an on_rotate hook that does what a shell script would, the ACTIONs
//       in order:
//         env>FILE           the whole environment, NAME=VALUE a line
//         first-output>FILE  a copy of the first file in TOKENBROKER_OUTPUTS
//         pid>FILE           this process's id and a newline
//         fds>FILE           each open descriptor beyond 0, 1 and 2, as
//                            "N -> TARGET" a line (POSIX only)
//         say:TEXT           TEXT and a newline on stdout
//         say-err:TEXT       TEXT and a newline on stderr
//         once:FILE          when FILE does not exist: create it and exit 0;
//                            otherwise go on with the next action
//         sleep:SECONDS      wait
//         exit:STATUS        exit with STATUS

#include "FileLock.h"
#include "FileSystem.h"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Process.h>
#include <Poco/UnicodeConverter.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <cwchar>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#ifdef _WIN32
#include <windows.h>
#else
#include <dirent.h>
#include <unistd.h>
extern char** environ;
#endif

namespace {

void writeEnvironment(const std::string& path)
{
    std::ofstream out(path, std::ios::binary);
#ifdef _WIN32
    // The process's own block, not the CRT's copy, as a Windows program sees it.
    wchar_t* block = ::GetEnvironmentStringsW();
    for (const wchar_t* entry = block; *entry; entry += std::wcslen(entry) + 1)
    {
        if (entry[0] == L'=')  // the per-drive current directories
            continue;
        std::string text;
        Poco::UnicodeConverter::convert(entry, text);
        out << text << "\n";
    }
    ::FreeEnvironmentStringsW(block);
#else
    for (char** entry = environ; *entry; ++entry)
        out << *entry << "\n";
#endif
}

void writeOpenDescriptors(const std::string& path)
{
    // Listed before the file is opened, which would otherwise list itself.
    std::ostringstream listing;
#ifdef _WIN32
    listing << "unsupported\n";
#else
    if (DIR* dir = ::opendir("/proc/self/fd"))
    {
        const int own = ::dirfd(dir);
        while (const dirent* entry = ::readdir(dir))
        {
            const int fd = std::atoi(entry->d_name);
            if (entry->d_name[0] == '.' || fd <= 2 || fd == own)
                continue;
            char target[512] = {};
            const std::string link = std::string("/proc/self/fd/") + entry->d_name;
            const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
            listing << fd << " -> " << (n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?") << "\n";
        }
        ::closedir(dir);
    }
    else
        listing << "cannot list /proc/self/fd\n";
#endif
    std::ofstream(path, std::ios::binary) << listing.str();
}

void copyFirstOutput(const std::string& path)
{
    const std::string outputs = Poco::Environment::get("TOKENBROKER_OUTPUTS", "");
    const std::string first = outputs.substr(0, outputs.find(TokenBroker::pathListSeparator));
    std::ifstream in(first, std::ios::binary);
    std::ofstream(path, std::ios::binary) << in.rdbuf();
}

/// One action; false when the hook ends here (exit status in `status`).
bool perform(const std::string& action, int& status)
{
    auto argument = [&](const std::string& prefix) -> const char* {
        return action.compare(0, prefix.size(), prefix) == 0 ? action.c_str() + prefix.size() : nullptr;
    };
    if (const char* file = argument("env>"))
        writeEnvironment(file);
    else if (const char* file = argument("first-output>"))
        copyFirstOutput(file);
    else if (const char* file = argument("fds>"))
        writeOpenDescriptors(file);
    else if (const char* file = argument("pid>"))
        std::ofstream(file) << Poco::Process::id() << "\n";
    else if (const char* text = argument("say:"))
        std::cout << text << std::endl;
    else if (const char* text = argument("say-err:"))
        std::cerr << text << std::endl;
    else if (const char* file = argument("once:"))
    {
        if (!Poco::File(file).exists())
        {
            std::ofstream{file};
            status = 0;
            return false;
        }
    }
    else if (const char* seconds = argument("sleep:"))
        std::this_thread::sleep_for(std::chrono::seconds(std::atoi(seconds)));
    else if (const char* code = argument("exit:"))
    {
        status = std::atoi(code);
        return false;
    }
    else
    {
        std::cerr << "unknown hook action '" << action << "'\n";
        status = 2;
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 4 && std::strcmp(argv[1], "hold-lock") == 0)
    {
        TokenBroker::FileLock lock(argv[2]);
        std::printf("locked\n");
        std::fflush(stdout);
        std::this_thread::sleep_for(std::chrono::seconds(std::atoi(argv[3])));
        return 0;
    }
    if (argc == 3 && std::strcmp(argv[1], "touch") == 0)
        return std::ofstream(argv[2], std::ios::app) ? 0 : 1;
    if (argc >= 2 && std::strcmp(argv[1], "hook") == 0)
    {
        int status = 0;
        for (int i = 2; i < argc && perform(argv[i], status); ++i)
        {
        }
        return status;
    }
    std::fprintf(stderr, "usage: %s hold-lock PATH SECONDS | touch PATH | hook ACTION...\n", argv[0]);
    return 2;
}
