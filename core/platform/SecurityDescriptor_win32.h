#pragma once

// The one place that builds the Windows security descriptors of the files
// the broker writes (Windows only: the POSIX side has mode bits and
// owners). Descriptors are built and shown as SDDL so that tests compare
// what the code builds from a configuration with the expected text.

#include <windows.h>

#include <memory>
#include <string>

namespace TokenBroker::Win32 {

/// A security descriptor in self-relative form.
class SecurityDescriptor
{
public:
    /// Parses SDDL ("O:BAD:P(A;;FA;;;SY)"); throws std::invalid_argument.
    static SecurityDescriptor fromSddl(const std::string& sddl);
    /// The owner and DACL of an existing file or directory; throws
    /// std::runtime_error saying which path could not be read.
    static SecurityDescriptor ofFile(const std::string& path);

    /// Owner, group and DACL as SDDL, as Windows writes it (well-known SIDs
    /// by their aliases: SY, BA, BU, WD, ...; access masks as FA, FR, ...).
    std::string sddl() const;

    /// Makes this descriptor's DACL the DACL of `path` (file or directory),
    /// protected so that nothing is inherited from the parent
    /// (SetNamedSecurityInfoW); throws WriteError.
    void applyTo(const std::string& path) const;
    /// The same on an open handle with WRITE_DAC access (SetSecurityInfo);
    /// `path` is for the error message.
    void applyTo(HANDLE handle, const std::string& path) const;

    PSECURITY_DESCRIPTOR get() const { return _descriptor.get(); }

private:
    struct LocalFreer
    {
        void operator()(void* memory) const { ::LocalFree(memory); }
    };

    explicit SecurityDescriptor(PSECURITY_DESCRIPTOR descriptor) : _descriptor(descriptor) {}
    PACL dacl() const;

    std::unique_ptr<void, LocalFreer> _descriptor;
};

/// The state directory: a protected DACL giving full control to SYSTEM,
/// Administrators and the account this process runs as, and nobody else;
/// files and directories created inside inherit it.
SecurityDescriptor privateDirectorySecurity();

/// A state file or token output: a protected DACL giving full control to
/// SYSTEM, Administrators and this process's account, and read access
/// (FILE_GENERIC_READ: no write, delete or ACL change) to `owner` and
/// `group` (account or group names, or SIDs; empty = none). With neither it
/// is the state files' DACL. A principal already given full control gets no
/// second entry. Throws std::invalid_argument ("unknown Windows account
/// 'NAME' (owner)") when a name resolves to no account.
SecurityDescriptor fileSecurity(const std::string& owner = {}, const std::string& group = {});

} // namespace TokenBroker::Win32
