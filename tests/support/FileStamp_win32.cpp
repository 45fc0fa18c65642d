#include "FileStamp.h"

#include <Poco/UnicodeConverter.h>

#include <windows.h>

namespace TokenBroker::Test {

std::optional<FileStamp> fileStamp(const std::string& path)
{
    std::wstring widePath;
    Poco::UnicodeConverter::convert(path, widePath);
    HANDLE file = ::CreateFileW(widePath.c_str(), FILE_READ_ATTRIBUTES,
                                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                                FILE_FLAG_BACKUP_SEMANTICS, nullptr);
    if (file == INVALID_HANDLE_VALUE)
        return std::nullopt;
    BY_HANDLE_FILE_INFORMATION info{};
    const bool ok = ::GetFileInformationByHandle(file, &info);
    ::CloseHandle(file);
    if (!ok)
        return std::nullopt;
    // FILETIME counts 100 ns units.
    const std::int64_t ticks =
        (static_cast<std::int64_t>(info.ftLastWriteTime.dwHighDateTime) << 32) | info.ftLastWriteTime.dwLowDateTime;
    return FileStamp{ticks * 100,
                     (static_cast<std::uint64_t>(info.nFileIndexHigh) << 32) | info.nFileIndexLow};
}

} // namespace TokenBroker::Test
