#define BOOST_TEST_MODULE OutputsTest
#include <boost/test/unit_test.hpp>

#include "AtomicFile.h"
#include "FileSystem.h"
#include "Accounts.h"
#include "ChildProcess.h"
#include "OutputsTestSupport.h"
#include "PosixSystem.h"
#include "TempDir.h"
#include "TestPlatform.h"

#include <Poco/File.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

using namespace TokenBroker;
using namespace TokenBroker::Test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(AtomicWrites)

BOOST_AUTO_TEST_CASE(WritesContentAndReplaces)
{
    TempDir dir;
    const std::string path = dir.file("token");
    writeFileAtomically(path, "first\n", FileAttributes{});
    BOOST_TEST(readFile(path) == "first\n");
    writeFileAtomically(path, "second, longer content\n", FileAttributes{});
    BOOST_TEST(readFile(path) == "second, longer content\n");
    writeFileAtomically(path, "", FileAttributes{});
    BOOST_TEST(readFile(path) == "");
    BOOST_TEST(entries(dir.path()) == (std::vector<std::string>{"token"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ModeIsAppliedWhateverTheUmask)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    for (unsigned mask : {022u, 077u, 0u})
    {
        ScopedUmask umask(mask);
        TempDir dir;
        const std::string path = dir.file("token");
        for (unsigned mode : {0600u, 0640u, 0644u, 0444u, 0660u})
        {
            writeFileAtomically(path, "x\n", FileAttributes{mode, "", ""});
            BOOST_TEST(modeOf(path) == mode, "umask " << std::oct << mask << " mode " << mode);
        }
    }
}

BOOST_AUTO_TEST_CASE(DefaultModeIsOwnerOnly)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    ScopedUmask umask(0);
    TempDir dir;
    writeFileAtomically(dir.file("token"), "x\n", FileAttributes{});
    BOOST_TEST(modeOf(dir.file("token")) == 0600u);
}

BOOST_AUTO_TEST_CASE(OwnerAndGroupByNameAndNumber)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    if (!runningAsRoot())
    {
        BOOST_TEST_MESSAGE("skipped: changing a file's owner needs root");
        return;
    }
    const std::optional<unsigned> nobody = userIdOf("nobody");
    const std::optional<unsigned> nogroup = groupIdOf("nogroup");
    BOOST_TEST_REQUIRE(nobody.has_value());
    BOOST_TEST_REQUIRE(nogroup.has_value());
    const unsigned nobodyUid = *nobody;
    const unsigned nogroupGid = *nogroup;

    TempDir dir;
    const std::string path = dir.file("token");
    writeFileAtomically(path, "x\n", FileAttributes{0640, "nobody", "nogroup"});
    OwnerIds ids = ownerOf(path);
    BOOST_TEST(ids.uid == nobodyUid);
    BOOST_TEST(ids.gid == nogroupGid);
    BOOST_TEST(modeOf(path) == 0640u);

    // Numeric ids need not exist in /etc/passwd.
    writeFileAtomically(path, "y\n", FileAttributes{0600, "1234", "4321"});
    ids = ownerOf(path);
    BOOST_TEST(ids.uid == 1234u);
    BOOST_TEST(ids.gid == 4321u);

    // Only a group: the owner is the writer's.
    writeFileAtomically(path, "z\n", FileAttributes{0640, "", "nogroup"});
    ids = ownerOf(path);
    BOOST_TEST(ids.uid == 0u);
    BOOST_TEST(ids.gid == nogroupGid);
    BOOST_TEST(readFile(path) == "z\n");
}

BOOST_AUTO_TEST_CASE(LooksUpUsersAndGroups)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    BOOST_TEST(lookupUser("root").value_or(99) == 0u);
    BOOST_TEST(lookupUser("4242").value_or(0) == 4242u);
    BOOST_TEST(!lookupUser("no-such-user-tokenbroker").has_value());
    BOOST_TEST(lookupGroup("root").value_or(99) == 0u);
    BOOST_TEST(!lookupGroup("no-such-group-tokenbroker").has_value());
}

BOOST_AUTO_TEST_CASE(UnknownOwnerKeepsTheOldContent)
{
    TempDir dir;
    const std::string path = dir.file("token");
    writeFileAtomically(path, "old\n", FileAttributes{});
    BOOST_CHECK_EXCEPTION(writeFileAtomically(path, "new\n", FileAttributes{0600, "no-such-user-tokenbroker", ""}),
                          WriteError, [&](const WriteError& e) {
                              const std::string message = e.what();
                              BOOST_TEST_MESSAGE(message);
                              return contains(message, path) && contains(message, "no-such-user-tokenbroker");
                          });
    BOOST_CHECK_EXCEPTION(writeFileAtomically(path, "new\n", FileAttributes{0600, "", "no-such-group-tokenbroker"}),
                          WriteError, [&](const WriteError& e) {
                              return contains(e.what(), path) && contains(e.what(), "no-such-group-tokenbroker");
                          });
    BOOST_TEST(readFile(path) == "old\n");
    BOOST_TEST(entries(dir.path()) == (std::vector<std::string>{"token"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(MissingParentsAreCreated0750)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    for (unsigned mask : {022u, 077u})
    {
        ScopedUmask umask(mask);
        TempDir dir;
        const std::string path = dir.file("a/b/token");
        writeFileAtomically(path, "x\n", FileAttributes{0640, "", ""});
        BOOST_TEST(readFile(path) == "x\n");
        BOOST_TEST(modeOf(dir.file("a")) == 0750u, "umask " << std::oct << mask);
        BOOST_TEST(modeOf(dir.file("a/b")) == 0750u, "umask " << std::oct << mask);
        BOOST_TEST(modeOf(path) == 0640u);
    }
}

BOOST_AUTO_TEST_CASE(MissingParentIsAnErrorWhenNotCreating)
{
    TempDir dir;
    const std::string path = dir.file("missing/token");
    BOOST_CHECK_EXCEPTION(writeFileAtomically(path, "x\n", FileAttributes{}, false), WriteError,
                          [&](const WriteError& e) { return contains(e.what(), dir.file("missing")); });
    BOOST_TEST(entries(dir.path()).empty());
}

BOOST_AUTO_TEST_CASE(ParentThatIsAFileIsReported)
{
    // Root ignores permission bits, so a regular file in the path is the
    // portable way to make the directory impossible to use.
    TempDir dir;
    writeFile(dir.file("plain"), "not a directory\n");
    BOOST_CHECK_EXCEPTION(writeFileAtomically(dir.file("plain/token"), "x\n", FileAttributes{}), WriteError,
                          [&](const WriteError& e) {
                              BOOST_TEST_MESSAGE(e.what());
                              return contains(e.what(), dir.file("plain"));
                          });
    BOOST_CHECK_EXCEPTION(writeFileAtomically(dir.file("plain/sub/token"), "x\n", FileAttributes{}), WriteError,
                          [&](const WriteError& e) {
                              BOOST_TEST_MESSAGE(e.what());
                              return contains(e.what(), dir.file("plain/sub"));
                          });
    BOOST_TEST(readFile(dir.file("plain")) == "not a directory\n");
}

BOOST_AUTO_TEST_CASE(ReadOnlyDirectoryIsReported)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    TempDir dir;
    const std::string target = dir.file("ro");
    Poco::File(target).createDirectory();
    setMode(target, 0755);
    std::string expectedReason;
    std::unique_ptr<ScopedMount> readOnly;
    if (runningAsRoot())
    {
        // Root may write into a 0555 directory, but not into a read-only mount.
        readOnly = std::make_unique<ScopedMount>(target, true, "size=16k");
        if (!readOnly->mounted())
        {
            BOOST_TEST_MESSAGE("skipped: cannot mount a read-only tmpfs: " << readOnly->error());
            return;
        }
        expectedReason = std::strerror(EROFS);
    }
    else
    {
        setMode(target, 0555);
        expectedReason = std::strerror(EACCES);
    }
    BOOST_CHECK_EXCEPTION(writeFileAtomically(target + "/token", "x\n", FileAttributes{}), WriteError,
                          [&](const WriteError& e) {
                              BOOST_TEST_MESSAGE(e.what());
                              return contains(e.what(), target) && contains(e.what(), expectedReason);
                          });
    BOOST_TEST(entries(target).empty());
    if (!readOnly)
        setMode(target, 0755);  // so TempDir can remove it (the mount goes with ScopedMount)
}

BOOST_AUTO_TEST_CASE(FullDiskKeepsTheOldContent)
{
    TOKENBROKER_SKIP_ON_WINDOWS("the full disk is a small tmpfs mount (Linux only)");
    if (!runningAsRoot())
    {
        BOOST_TEST_MESSAGE("skipped: mounting a small tmpfs needs root");
        return;
    }
    TempDir dir;
    const std::string small = dir.file("small");
    Poco::File(small).createDirectory();
    setMode(small, 0700);
    ScopedMount disk(small, false, "size=16k,mode=0700");
    if (!disk.mounted())
    {
        BOOST_TEST_MESSAGE("skipped: cannot mount a tmpfs: " << disk.error());
        return;
    }
    const std::string path = small + "/token";
    writeFileAtomically(path, "old-token\n", FileAttributes{});
    const std::string big(64 * 1024, 'x');
    BOOST_CHECK_EXCEPTION(writeFileAtomically(path, big, FileAttributes{}), WriteError, [&](const WriteError& e) {
        BOOST_TEST_MESSAGE(e.what());
        return contains(e.what(), small) && contains(e.what(), std::strerror(ENOSPC));
    });
    BOOST_TEST(readFile(path) == "old-token\n");
    BOOST_TEST(entries(small) == (std::vector<std::string>{"token"}), boost::test_tools::per_element());
    // The failed temporary file gave its space back.
    writeFileAtomically(path, "new-token\n", FileAttributes{});
    BOOST_TEST(readFile(path) == "new-token\n");
}

BOOST_AUTO_TEST_CASE(ReaderNeverSeesAPartialFile)
{
    // The hammer: a separate process reads the file non-stop while
    // it is rewritten 1,000 times with contents of different lengths.
    TempDir dir;
    const std::string path = dir.file("token");
    const std::string longContent = "long-" + std::string(20000, 'L') + "\n";
    const std::string shortContent = "short-token\n";
    writeFileAtomically(path, longContent, FileAttributes{0644, "", ""});

    ChildProcess reader(TOKENBROKER_ATOMIC_READER, ChildProcess::Options{{path, longContent, shortContent}});
    BOOST_TEST_REQUIRE(reader.waitForOutput("ready\n", 10s));
    for (int i = 0; i < 1000; ++i)
        writeFileAtomically(path, i % 2 == 0 ? shortContent : longContent, FileAttributes{0644, "", ""});
    ReaderReport report = stopReader(reader);

    BOOST_TEST_MESSAGE("reader: " << report.text);
    BOOST_TEST(report.reads > 0u);
    BOOST_TEST(report.bad == 0u, report.text);
    // Both contents were read, so the reader really ran while the file changed.
    BOOST_TEST(report.seen.size() == 2u);
    BOOST_TEST(report.seen.at(0) > 0u);
    BOOST_TEST(report.seen.at(1) > 0u);
    BOOST_TEST(readFile(path) == longContent);
    BOOST_TEST(entries(dir.path()) == (std::vector<std::string>{"token"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ReaderCatchesATornWrite)
{
    // Control for the hammer: the same reader does notice a writer that
    // truncates and rewrites in place, so a zero above means something.
    TempDir dir;
    const std::string path = dir.file("token");
    const std::string longContent = "long-" + std::string(20000, 'L') + "\n";
    const std::string shortContent = "short-token\n";
    writeFile(path, longContent);

    ChildProcess reader(TOKENBROKER_ATOMIC_READER, ChildProcess::Options{{path, longContent, shortContent}});
    BOOST_TEST_REQUIRE(reader.waitForOutput("ready\n", 10s));
    for (int i = 0; i < 100; ++i)
    {
        const std::string& content = i % 2 == 0 ? shortContent : longContent;
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        BOOST_TEST_REQUIRE(out.good());
        const std::size_t half = content.size() / 2;
        BOOST_TEST_REQUIRE(out.write(content.data(), static_cast<std::streamsize>(half)).flush().good());
        std::this_thread::sleep_for(2ms);
        BOOST_TEST_REQUIRE(out.write(content.data() + half, static_cast<std::streamsize>(content.size() - half))
                               .flush()
                               .good());
    }
    ReaderReport report = stopReader(reader);
    BOOST_TEST_MESSAGE("reader: " << report.text);
    BOOST_TEST(report.bad > 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Directories)

BOOST_AUTO_TEST_CASE(PrivateDirectoryIs0700)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    ScopedUmask umask(0);
    TempDir dir;
    makePrivateDirectory(dir.file("state/profiles"));
    BOOST_TEST(modeOf(dir.file("state/profiles")) == 0700u);
    BOOST_TEST(modeOf(dir.file("state")) == 0750u);
    // An existing directory others can read is tightened; one others could
    // have written into is refused, since what they planted would stay.
    Poco::File(dir.file("readable")).createDirectory();
    setMode(dir.file("readable"), 0755);
    makePrivateDirectory(dir.file("readable"));
    BOOST_TEST(modeOf(dir.file("readable")) == 0700u);
    Poco::File(dir.file("open")).createDirectory();
    setMode(dir.file("open"), 0777);
    BOOST_CHECK_EXCEPTION(makePrivateDirectory(dir.file("open")), WriteError, [](const WriteError& e) {
        return std::string(e.what()).find("is writable by group or others (mode 0777)") != std::string::npos;
    });
    BOOST_TEST(modeOf(dir.file("open")) == 0777u);
    writeFile(dir.file("file"), "x");
    BOOST_CHECK_THROW(makePrivateDirectory(dir.file("file")), WriteError);
}

BOOST_AUTO_TEST_CASE(RemoveFile)
{
    TempDir dir;
    writeFile(dir.file("token"), "x");
    removeFile(dir.file("token"));
    BOOST_TEST(entries(dir.path()).empty());
    BOOST_CHECK_NO_THROW(removeFile(dir.file("token")));
    Poco::File(dir.file("sub")).createDirectory();
    BOOST_CHECK_THROW(removeFile(dir.file("sub")), WriteError);
}

BOOST_AUTO_TEST_SUITE_END()
