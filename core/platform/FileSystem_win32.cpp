#include "FileSystem.h"

#include "AtomicFile.h"

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/UnicodeConverter.h>

#include <windows.h>

namespace TokenBroker {

const char pathListSeparator = ';';

namespace {

std::wstring wide(const std::string& text)
{
    std::wstring result;
    Poco::UnicodeConverter::convert(text, result);
    return result;
}

std::string lastError(const std::string& what, const std::string& path)
{
    DWORD code = ::GetLastError();
    return what + " " + path + ": Windows error " + std::to_string(code);
}

} // namespace

std::string parentDirectory(const std::string& path)
{
    return Poco::Path(path).parent().toString();
}

void makeDirectories(const std::string& path)
{
    Poco::File(path).createDirectories();
}

void makePrivateDirectory(const std::string& path)
{
    Poco::File(path).createDirectories();
}

void removeFile(const std::string& path)
{
    if (!::DeleteFileW(wide(path).c_str()) && ::GetLastError() != ERROR_FILE_NOT_FOUND)
        throw WriteError(lastError("cannot remove", path));
}

} // namespace TokenBroker
