#define BOOST_TEST_MODULE WindowsSecurityTest
#include <boost/test/unit_test.hpp>

#include "Accounts_win32.h"
#include "AtomicFile.h"
#include "ConfigLoader.h"
#include "FileSystem.h"
#include "Output.h"
#include "PluginRegistry.h"
#include "PluginTrust.h"
#include "PluginTrust_win32.h"
#include "SecurityDescriptor_win32.h"
#include "TempDir.h"

#include <Poco/File.h>
#include <Poco/UnicodeConverter.h>

#include <windows.h>

using namespace TokenBroker;
using namespace TokenBroker::Test;
using TokenBroker::Win32::SecurityDescriptor;

namespace {

/// The SID this test runs as (under wine: root, S-1-5-21-0-0-0-1000).
const std::string& me()
{
    static const std::string sid = Win32::processAccountSid();
    return sid;
}

/// The account name this test runs as, for configurations.
std::string myName()
{
    wchar_t name[256];
    DWORD size = 256;
    BOOST_TEST_REQUIRE(::GetUserNameW(name, &size));
    std::string result;
    Poco::UnicodeConverter::convert(name, result);
    return result;
}

bool underWine()
{
    return ::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != nullptr;
}

/// The file outputs of a one-profile configuration whose outputs are `outputsYaml`.
std::vector<OutputSpec> outputsOf(const std::string& outputsYaml)
{
    Config config = ConfigLoader::loadString("profiles:\n"
                                             "  p:\n"
                                             "    flow: pat\n"
                                             "    outputs:\n" + outputsYaml,
                                             "test.yaml", "C:/etc/tb");
    return config.profiles.at(0).outputs;
}

/// The SDDL of the DACL the code builds for the first output of `outputsYaml`.
std::string sddlFor(const std::string& outputsYaml)
{
    const OutputSpec spec = outputsOf(outputsYaml).at(0);
    return Win32::fileSecurity(spec.owner, spec.group).sddl();
}

/// "D:P" + full control for SYSTEM, Administrators and this account, with
/// `flags` ("OICI" or ""), then `rest`.
std::string privateDacl(const std::string& flags, const std::string& rest = {})
{
    return "D:P(A;" + flags + ";FA;;;SY)(A;" + flags + ";FA;;;BA)(A;" + flags + ";FA;;;" + me() + ")" + rest;
}

std::optional<std::string> verdict(const std::string& sddl)
{
    return Win32::untrustedReason(SecurityDescriptor::fromSddl(sddl).get(), "C:\\plugins\\x.dll");
}

bool refusedNaming(const std::string& sddl, const std::string& principalSid)
{
    auto reason = verdict(sddl);
    if (!reason)
    {
        BOOST_TEST_MESSAGE("trusted but should be refused: " << sddl);
        return false;
    }
    BOOST_TEST_MESSAGE(sddl << " -> " << *reason);
    return reason->find("C:\\plugins\\x.dll") == 0 && reason->find("(" + principalSid + ")") != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(Descriptors)

BOOST_AUTO_TEST_CASE(TheServiceAccountIsAUserSidNotAWellKnownOne)
{
    // The expected SDDL below writes this account as a SID; a well-known
    // account would be written as an alias (or merged with SY/BA).
    BOOST_TEST(me().rfind("S-1-5-21-", 0) == 0);
    BOOST_TEST(Win32::accountSid(myName()).value_or("") == me());
}

BOOST_AUTO_TEST_CASE(StateDirectoryIsSystemAdministratorsAndTheServiceAccountInheritedByItsContent)
{
    BOOST_TEST(Win32::privateDirectorySecurity().sddl() == privateDacl("OICI"));
}

BOOST_AUTO_TEST_CASE(StateFilesAndOutputsWithoutReadersAreSystemAdministratorsAndTheServiceAccountOnly)
{
    BOOST_TEST(Win32::fileSecurity().sddl() == privateDacl(""));
    BOOST_TEST(sddlFor("      - file: C:/out/token\n") == privateDacl(""));
}

BOOST_AUTO_TEST_CASE(OwnerAndGroupNamesFromTheConfigBecomeReadOnlyEntries)
{
    BOOST_TEST(sddlFor("      - file: C:/out/token\n"
                       "        owner: Users\n"
                       "        group: Authenticated Users\n") == privateDacl("", "(A;;FR;;;BU)(A;;FR;;;AU)"));
    BOOST_TEST(sddlFor("      - file: C:/out/token\n"
                       "        owner: NT AUTHORITY\\NETWORK SERVICE\n") == privateDacl("", "(A;;FR;;;NS)"));
    BOOST_TEST(sddlFor("      - file: C:/out/token\n"
                       "        group: LOCAL SERVICE\n") == privateDacl("", "(A;;FR;;;LS)"));
    BOOST_TEST(sddlFor("      - file: C:/out/token\n"
                       "        group: Everyone\n") == privateDacl("", "(A;;FR;;;WD)"));
}

BOOST_AUTO_TEST_CASE(OwnerAndGroupSidsFromTheConfigBecomeReadOnlyEntries)
{
    BOOST_TEST(sddlFor("      - file: C:/out/token\n"
                       "        owner: S-1-5-32-545\n"
                       "        group: S-1-1-0\n") == privateDacl("", "(A;;FR;;;BU)(A;;FR;;;WD)"));
    // A well-formed SID needs no account, as a POSIX uid needs no user.
    BOOST_TEST(sddlFor("      - file: C:/out/token\n"
                       "        owner: S-1-5-21-1-2-3-4242\n") == privateDacl("", "(A;;FR;;;S-1-5-21-1-2-3-4242)"));
}

BOOST_AUTO_TEST_CASE(AReaderThatAlreadyHasFullControlGetsNoSecondEntry)
{
    BOOST_TEST(sddlFor("      - file: C:/out/token\n"
                       "        owner: SYSTEM\n"
                       "        group: Administrators\n") == privateDacl(""));
    BOOST_TEST(sddlFor("      - file: C:/out/token\n"
                       "        owner: " + myName() + "\n"
                       "        group: Users\n") == privateDacl("", "(A;;FR;;;BU)"));
    BOOST_TEST(sddlFor("      - file: C:/out/token\n"
                       "        owner: Users\n"
                       "        group: S-1-5-32-545\n") == privateDacl("", "(A;;FR;;;BU)"));
}

BOOST_AUTO_TEST_CASE(AnUnknownAccountIsRefusedByNameAndRole)
{
    BOOST_CHECK_EXCEPTION(Win32::fileSecurity("no-such-account-tokenbroker", "Users"), std::invalid_argument,
                          [](const std::invalid_argument& e) {
                              return std::string(e.what()).find(
                                         "unknown Windows account 'no-such-account-tokenbroker' (owner)") == 0;
                          });
    BOOST_CHECK_EXCEPTION(Win32::fileSecurity("", "S-1-bogus"), std::invalid_argument,
                          [](const std::invalid_argument& e) {
                              return std::string(e.what()).find("unknown Windows account 'S-1-bogus' (group)") == 0;
                          });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Configuration)

BOOST_AUTO_TEST_CASE(AnExplicitModeIsRefusedAtItsPositionPointingToOwnerAndGroup)
{
    try
    {
        outputsOf("      - file: C:/out/token\n"
                  "        mode: \"0640\"\n");
        BOOST_FAIL("a file output with mode was accepted on Windows");
    }
    catch (const ConfigErrors& e)
    {
        BOOST_TEST_REQUIRE(e.errors().size() == 1u);
        const std::string message = e.errors().at(0).what();
        BOOST_TEST_MESSAGE(message);
        BOOST_TEST(message.find("test.yaml:6:15: error: 'mode' has no meaning on Windows") == 0);
        BOOST_TEST(message.find("'owner' and 'group'") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(AnOutputWithoutModeIsAcceptedAndGetsNoMode)
{
    const auto outputs = outputsOf("      - file: C:/out/token\n"
                                   "        owner: Users\n");
    BOOST_TEST(!outputs.at(0).mode.has_value());
}

BOOST_AUTO_TEST_CASE(UnknownOwnersAndGroupsAreConfigErrorsAtTheOutput)
{
    const auto outputs = outputsOf("      - file: C:/x\n"
                                   "        owner: Users\n"
                                   "        group: S-1-5-32-544\n"
                                   "      - file: C:/y\n"
                                   "        owner: no-such-user-tokenbroker\n"
                                   "      - file: C:/z\n"
                                   "        group: no-such-group-tokenbroker\n");
    BOOST_CHECK_NO_THROW(validateOutput(outputs.at(0)));
    BOOST_CHECK_EXCEPTION(validateOutput(outputs.at(1)), ConfigError, [](const ConfigError& e) {
        return std::string(e.what()) == "test.yaml:8:9: error: output owner 'no-such-user-tokenbroker' is not a known user";
    });
    BOOST_CHECK_EXCEPTION(validateOutput(outputs.at(2)), ConfigError, [](const ConfigError& e) {
        return std::string(e.what()) ==
               "test.yaml:10:9: error: output group 'no-such-group-tokenbroker' is not a known group";
    });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Applying)

BOOST_AUTO_TEST_CASE(AWrittenTokenFileTakesItsDaclAndTheDaclCanBeSetByName)
{
    TempDir dir;
    const std::string path = dir.file("token");
    writeFileAtomically(path, "secret-token\n", FileAttributes{0600, "Users", "S-1-5-11"});
    BOOST_TEST(readFile(path) == "secret-token\n");
    const SecurityDescriptor wanted = Win32::fileSecurity("Users", "S-1-5-11");
    BOOST_CHECK_NO_THROW(wanted.applyTo(path));

    const std::string readBack = SecurityDescriptor::ofFile(path).sddl();
    if (underWine())
    {
        BOOST_TEST_MESSAGE("skipped: reading back the DACL (wine 8 discards file DACLs and reports " << readBack
                                                                                                      << "); real Windows only");
        return;
    }
    BOOST_TEST(readBack.find(wanted.sddl()) != std::string::npos, readBack << " lacks " << wanted.sddl());
}

BOOST_AUTO_TEST_CASE(AnUnknownOwnerLeavesTheOldTokenFileInPlace)
{
    TempDir dir;
    const std::string path = dir.file("token");
    writeFileAtomically(path, "old\n", FileAttributes{});
    BOOST_CHECK_EXCEPTION(writeFileAtomically(path, "new\n", FileAttributes{0600, "no-such-account-tokenbroker", ""}),
                          WriteError, [&](const WriteError& e) {
                              return std::string(e.what()).find("cannot write " + path +
                                                                ": unknown Windows account 'no-such-account-tokenbroker' (owner)") == 0;
                          });
    BOOST_TEST(readFile(path) == "old\n");
}

BOOST_AUTO_TEST_CASE(TheStateDirectoryIsCreatedAndAnExistingOneIsReprotected)
{
    TempDir dir;
    const std::string state = dir.file("state/profiles");
    makePrivateDirectory(state);
    BOOST_TEST(Poco::File(state).isDirectory());
    BOOST_CHECK_NO_THROW(makePrivateDirectory(state));
    writeFileAtomically(state + "/p.json", "{}\n", FileAttributes{}, false);
    BOOST_TEST(readFile(state + "/p.json") == "{}\n");

    const std::string readBack = SecurityDescriptor::ofFile(state).sddl();
    if (underWine())
    {
        BOOST_TEST_MESSAGE("skipped: reading back the state directory's DACL (wine 8 reports " << readBack
                                                                                               << "); real Windows only");
        return;
    }
    BOOST_TEST(readBack.find(Win32::privateDirectorySecurity().sddl()) != std::string::npos, readBack);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(PluginTrust)

BOOST_AUTO_TEST_CASE(EveryoneWithWriteAccessIsRefusedByName)
{
    BOOST_TEST(refusedNaming("O:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FW;;;WD)", "S-1-1-0"));
    BOOST_TEST(refusedNaming("O:BAD:(A;;GA;;;WD)", "S-1-1-0"));
    BOOST_TEST(refusedNaming("O:BAD:(A;;GW;;;WD)", "S-1-1-0"));
}

BOOST_AUTO_TEST_CASE(ReadAndExecuteForEveryoneAndUsersIsTrusted)
{
    BOOST_TEST(!verdict("O:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;BU)"));
    BOOST_TEST(!verdict("O:SYD:P(A;;FA;;;SY)(A;;0x1200a9;;;WD)(A;;GXGR;;;BU)"));
}

BOOST_AUTO_TEST_CASE(AuthenticatedUsersWithModifyIsRefused)
{
    // "Modify" as Explorer grants it: read, write, execute, delete.
    BOOST_TEST(refusedNaming("O:BAD:(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1301bf;;;AU)", "S-1-5-11"));
}

BOOST_AUTO_TEST_CASE(EachSingleChangeRightIsEnoughToRefuse)
{
    // write data / add file, append / add subdirectory, delete child,
    // delete, write DAC, write owner.
    for (const char* right : {"0x2", "0x4", "0x40", "SD", "WD", "WO"})
        BOOST_TEST(refusedNaming(std::string("O:BAD:(A;;") + right + ";;;BU)", "S-1-5-32-545"), right);
    // Attributes and extended attributes do not change what is loaded.
    BOOST_TEST(!verdict("O:BAD:(A;;0x110;;;BU)"));
}

BOOST_AUTO_TEST_CASE(SystemAdministratorsTrustedInstallerAndTheServiceAccountMayWrite)
{
    BOOST_TEST(!verdict("O:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
                        "D:P(A;;FA;;;S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464)"
                        "(A;;FA;;;SY)(A;;FA;;;BA)"));
    BOOST_TEST(!verdict("O:" + me() + "D:P(A;;FA;;;" + me() + ")"));
}

BOOST_AUTO_TEST_CASE(AnOwnerOtherThanTheTrustedOnesIsRefused)
{
    // The owner may rewrite the DACL whatever it says.
    const auto reason = verdict("O:BUD:P(A;;FA;;;SY)(A;;FR;;;BU)");
    BOOST_TEST_REQUIRE(reason.has_value());
    BOOST_TEST(reason->find("C:\\plugins\\x.dll is owned by") == 0, *reason);
    BOOST_TEST(reason->find("(S-1-5-32-545)") != std::string::npos, *reason);
}

BOOST_AUTO_TEST_CASE(CreatorOwnerAndInheritOnlyEntriesDoNotMakeAnInstallDirectoryUntrusted)
{
    // Like C:\Program Files: CREATOR OWNER full control for files created
    // later, Users read and execute.
    BOOST_TEST(!verdict("O:SYD:P(A;OICIIO;GA;;;CO)(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"));
    // An inherit-only grant applies to new content, which is checked itself.
    BOOST_TEST(!verdict("O:BAD:P(A;OICIIO;FA;;;WD)(A;;FA;;;BA)"));
    // OWNER RIGHTS stands for the owner, who is checked.
    BOOST_TEST(!verdict("O:BAD:P(A;;FA;;;OW)"));
}

BOOST_AUTO_TEST_CASE(ANullDaclIsRefused)
{
    // Built by hand: wine's SDDL parser reads "D:NO_ACCESS_CONTROL" as an
    // empty DACL (which denies everyone) instead of a NULL one.
    SECURITY_DESCRIPTOR descriptor;
    BOOST_TEST_REQUIRE(::InitializeSecurityDescriptor(&descriptor, SECURITY_DESCRIPTOR_REVISION));
    const SecurityDescriptor administrators = SecurityDescriptor::fromSddl("O:BA");
    PSID owner = nullptr;
    BOOL defaulted = FALSE;
    BOOST_TEST_REQUIRE(::GetSecurityDescriptorOwner(administrators.get(), &owner, &defaulted));
    BOOST_TEST_REQUIRE(::SetSecurityDescriptorOwner(&descriptor, owner, FALSE));
    BOOST_TEST_REQUIRE(::SetSecurityDescriptorDacl(&descriptor, TRUE, nullptr, FALSE));
    const auto reason = Win32::untrustedReason(&descriptor, "C:\\plugins\\x.dll");
    BOOST_TEST_REQUIRE(reason.has_value());
    BOOST_TEST(reason->find("no access control list") != std::string::npos, *reason);
}

BOOST_AUTO_TEST_CASE(ADenyEntryIsNotCreditedAgainstAGrant)
{
    // Conservative: what a principal is granted counts even if denied first.
    BOOST_TEST(refusedNaming("O:BAD:(D;;FW;;;WD)(A;;FW;;;WD)", "S-1-1-0"));
}

BOOST_AUTO_TEST_CASE(TheBuiltPluginsStillLoad)
{
    const std::string dir = TOKENBROKER_PLUGIN_DIR;
    const auto reason = untrustedReason(dir);
    BOOST_TEST(!reason.has_value(), reason.value_or("") << "\n" << SecurityDescriptor::ofFile(dir).sddl());
    PluginRegistry registry;
    registry.loadDirectories({dir});
    for (const auto& refusal : registry.refusals())
        BOOST_ERROR("refused " << refusal.path << ": " << refusal.reason);
    BOOST_TEST(registry.findFlow("pat").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
