#include "DefaultPaths.h"

#include "Win32Text_win32.h"

#include <windows.h>

#include <knownfolders.h>
#include <shlobj.h>

#include <stdexcept>

namespace TokenBroker {

namespace {

/// The machine's ProgramData folder as the shell knows it, not from
/// %ProgramData%: a service's environment need not have the console's (under
/// wine a service sees C:\users\Public there), and the installer puts the
/// configuration in this same known folder.
std::string programData()
{
    PWSTR path = nullptr;
    const HRESULT result = ::SHGetKnownFolderPath(FOLDERID_ProgramData, KF_FLAG_DEFAULT, nullptr, &path);
    if (FAILED(result))
    {
        ::CoTaskMemFree(path);
        throw std::runtime_error("cannot find the ProgramData folder: HRESULT " + std::to_string(result));
    }
    const std::string folder = Win32::narrow(path);
    ::CoTaskMemFree(path);
    return folder;
}

} // namespace

std::string platformDefaultConfigPath()
{
    return programData() + "\\TokenBroker\\tokenbroker.yaml";
}

std::string platformDefaultStateDir()
{
    return programData() + "\\TokenBroker\\state";
}

} // namespace TokenBroker
