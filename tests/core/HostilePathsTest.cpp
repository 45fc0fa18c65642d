// Paths another local user can reach: a directory they own or can write, a
// symbolic link they planted, a state directory they made first. Root
// writes nothing where they choose; each refusal names the culprit. The
// "other user" is nobody (uid 65534), so these cases need root.

#include <boost/test/unit_test.hpp>

#include "AtomicFile.h"
#include "FileLock.h"
#include "FileSystem.h"
#include "PosixSystem.h"
#include "TempDir.h"
#include "TestPlatform.h"
#include "TextMatch.h"

#include <Poco/File.h>

#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>
#endif

using namespace TokenBroker;
using namespace TokenBroker::Test;

namespace {

constexpr const char* kWhy = "another user's directories and links are POSIX owners and modes (Windows: "
                             "WindowsSecurityTest)";

bool needsRoot()
{
    if (runningAsRoot())
        return false;
    BOOST_TEST_MESSAGE("skipped: making files another user owns needs root");
    return true;
}

std::string writeError(const std::string& path, const FileAttributes& attributes = {})
{
    try
    {
        writeFileAtomically(path, "tok\n", attributes);
    }
    catch (const WriteError& e)
    {
        return e.what();
    }
    return "";
}

void makeDirectory(const std::string& path, unsigned mode, unsigned owner = 0)
{
    Poco::File(path).createDirectories();
    setMode(path, mode);
    setOwner(path, owner, owner);
}

} // namespace

BOOST_AUTO_TEST_SUITE(HostilePaths)

BOOST_AUTO_TEST_CASE(an_output_below_another_users_directory_is_refused_unless_it_is_the_outputs_owner)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kWhy);
    if (needsRoot())
        return;
    TempDir dir;
    makeDirectory(dir.file("theirs"), 0755, kNobody);
    const std::string token = dir.file("theirs/token");
    const std::string error = writeError(token);
    BOOST_TEST(error == "cannot write " + token + ": " + dir.file("theirs") +
                            " owned by uid 65534, neither root nor the service user",
               error);
    BOOST_TEST(!Poco::File(token).exists());
    // Whose token it is may own the directory: they could replace it anyway.
    BOOST_TEST(writeError(token, FileAttributes{0600, "nobody", ""}) == "");
    BOOST_TEST(readFile(token) == "tok\n");
}

BOOST_AUTO_TEST_CASE(a_directory_others_can_write_is_refused_unless_sticky)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kWhy);
    if (needsRoot())
        return;
    TempDir dir;
    makeDirectory(dir.file("open"), 0777);
    const std::string token = dir.file("open/sub/token");
    BOOST_TEST(writeError(token) == "cannot write " + token + ": " + dir.file("open") +
                                        " is writable by group or others (mode 0777); run chmod go-w on it");
    BOOST_TEST(!Poco::File(dir.file("open/sub")).exists(), "a directory was created below it");
    // As /tmp: others may add entries, not rename or remove ours.
    setMode(dir.file("open"), 01777);
    BOOST_TEST(writeError(token) == "");
    BOOST_TEST(readFile(token) == "tok\n");
}

BOOST_AUTO_TEST_CASE(a_link_planted_in_a_world_writable_directory_is_not_followed)
{
    // The attack: in a sticky world-writable directory the output's parent
    // did not exist yet; another user made it a link to a directory of
    // root's, and `once` overwrote root's file with the token.
    TOKENBROKER_SKIP_ON_WINDOWS(kWhy);
    if (needsRoot())
        return;
#ifndef _WIN32
    TempDir dir;
    makeDirectory(dir.file("public"), 01777);
    makeDirectory(dir.file("roots"), 0700);
    writeFile(dir.file("roots/config"), "root's own file\n", 0600);
    BOOST_REQUIRE(::symlink(dir.file("roots").c_str(), dir.file("public/app").c_str()) == 0);
    BOOST_REQUIRE(::lchown(dir.file("public/app").c_str(), kNobody, kNobody) == 0);
    const std::string token = dir.file("public/app/config");
    BOOST_TEST(writeError(token) == "cannot write " + token + ": " + dir.file("public/app") +
                                        " is a symbolic link owned by uid 65534, neither root nor the service user, "
                                        "in a directory others can write");
    BOOST_TEST(readFile(dir.file("roots/config")) == "root's own file\n");
    // A link root made in a directory only root can write is followed.
    BOOST_REQUIRE(::symlink(dir.file("roots").c_str(), dir.file("trusted-link").c_str()) == 0);
    BOOST_TEST(writeError(dir.file("trusted-link/token")) == "");
    BOOST_TEST(readFile(dir.file("roots/token")) == "tok\n");
#endif
}

BOOST_AUTO_TEST_CASE(a_token_file_replaced_by_a_link_is_replaced_not_followed)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kWhy);
#ifndef _WIN32
    TempDir dir;
    writeFile(dir.file("elsewhere"), "untouched\n", 0600);
    BOOST_REQUIRE(::symlink(dir.file("elsewhere").c_str(), dir.file("token").c_str()) == 0);
    BOOST_TEST(writeError(dir.file("token")) == "");
    struct stat st;
    BOOST_REQUIRE(::lstat(dir.file("token").c_str(), &st) == 0);
    BOOST_TEST(S_ISREG(st.st_mode));
    BOOST_TEST(readFile(dir.file("token")) == "tok\n");
    BOOST_TEST(readFile(dir.file("elsewhere")) == "untouched\n");
#endif
}

BOOST_AUTO_TEST_CASE(a_state_directory_another_user_made_first_is_refused_with_the_lock_link_in_it)
{
    // The attack: state_dir made in advance by another user, with a
    // NAME.lock link to where they wanted root to create a file.
    TOKENBROKER_SKIP_ON_WINDOWS(kWhy);
    if (needsRoot())
        return;
#ifndef _WIN32
    TempDir dir;
    makeDirectory(dir.file("state"), 0700, kNobody);
    makeDirectory(dir.file("target"), 0755);
    BOOST_REQUIRE(::symlink(dir.file("target/created-by-root").c_str(), dir.file("state/p.lock").c_str()) == 0);
    BOOST_REQUIRE(::lchown(dir.file("state/p.lock").c_str(), kNobody, kNobody) == 0);
    try
    {
        FileLock lock(dir.file("state/p.lock"));
        BOOST_FAIL("locked a file in another user's state directory");
    }
    catch (const WriteError& e)
    {
        BOOST_TEST(contains(e.what(), dir.file("state") + " owned by uid 65534, neither root nor the service user"),
                   e.what());
    }
    BOOST_TEST(!Poco::File(dir.file("target/created-by-root")).exists());
    BOOST_CHECK_THROW(makePrivateDirectory(dir.file("state")), WriteError);
    // In our own state directory the planted link is not followed either.
    setOwner(dir.file("state"), 0, 0);
    BOOST_CHECK_THROW(FileLock(dir.file("state/p.lock")), WriteError);
    BOOST_TEST(!Poco::File(dir.file("target/created-by-root")).exists());
#endif
}

BOOST_AUTO_TEST_CASE(a_directory_written_a_moment_ago_and_then_swapped_for_another_users_is_walked_again)
{
    // The walk's result is kept for a moment (a burst of writes walks each
    // directory once); what replaced it since is judged afresh.
    TOKENBROKER_SKIP_ON_WINDOWS(kWhy);
    if (needsRoot())
        return;
#ifndef _WIN32
    TempDir dir;
    makeDirectory(dir.file("out"), 0755);
    const std::string token = dir.file("out/token");
    BOOST_TEST_REQUIRE(writeError(token) == "");
    // Replaced by another user's directory...
    BOOST_REQUIRE(::rename(dir.file("out").c_str(), dir.file("out.old").c_str()) == 0);
    makeDirectory(dir.file("out"), 0755, kNobody);
    BOOST_TEST(writeError(token) == "cannot write " + token + ": " + dir.file("out") +
                                        " owned by uid 65534, neither root nor the service user");
    // ...or by their link to ours.
    BOOST_REQUIRE(::rmdir(dir.file("out").c_str()) == 0);
    BOOST_REQUIRE(::symlink(dir.file("out.old").c_str(), dir.file("out").c_str()) == 0);
    BOOST_REQUIRE(::lchown(dir.file("out").c_str(), kNobody, kNobody) == 0);
    setMode(dir.path(), 01777);
    BOOST_TEST(writeError(token) == "cannot write " + token + ": " + dir.file("out") +
                                        " is a symbolic link owned by uid 65534, neither root nor the service user, "
                                        "in a directory others can write");
    BOOST_TEST(readFile(dir.file("out.old/token")) == "tok\n");
#endif
}

BOOST_AUTO_TEST_CASE(a_directory_written_a_moment_ago_and_then_opened_to_others_is_refused)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kWhy);
    if (needsRoot())
        return;
    TempDir dir;
    makeDirectory(dir.file("out"), 0755);
    const std::string token = dir.file("out/token");
    BOOST_TEST_REQUIRE(writeError(token) == "");
    setMode(dir.file("out"), 0777);
    BOOST_TEST(writeError(token) == "cannot write " + token + ": " + dir.file("out") +
                                        " is writable by group or others (mode 0777); run chmod go-w on it");
    setOwner(dir.file("out"), kNobody, kNobody);
    setMode(dir.file("out"), 0755);
    BOOST_TEST(writeError(token) == "cannot write " + token + ": " + dir.file("out") +
                                        " owned by uid 65534, neither root nor the service user");
    BOOST_TEST(readFile(token) == "tok\n");
}

BOOST_AUTO_TEST_SUITE_END()
