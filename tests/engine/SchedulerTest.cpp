#define BOOST_TEST_MODULE SchedulerTest
#include <boost/test/unit_test.hpp>

// The refresh engine in process (issue 9 §2): real profiles, outputs and
// state files in a temp dir, a scripted flow instead of a plugin and a
// manual clock instead of the wall clock, so each scenario is exact and
// fast. Every wait is on an observable event (a call reaching the flow, a
// file's content, a status), with a generous limit that only a broken
// engine reaches.

#include "FileLock.h"
#include "HttpClient.h"
#include "ManualClock.h"
#include "Profile.h"
#include "ProfileHost.h"
#include "Scheduler.h"
#include "ScriptedFlow.h"

#include "ChildProcess.h"
#include "TempDir.h"
#include "TextMatch.h"

#include <Poco/File.h>

#include <future>
#include <mutex>
#include <thread>
#include <vector>

using namespace TokenBroker;
using namespace TokenBroker::Test;
using namespace std::chrono_literals;

namespace {

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 30s)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition())
    {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

bool exists(const std::string& path)
{
    return Poco::File(path).exists();
}

std::string contentOf(const std::string& path)
{
    try
    {
        return readFile(path);
    }
    catch (const std::exception&)
    {
        return "";
    }
}

struct ProfileOptions
{
    std::string fingerprint = "v1";
    std::string onRemove = "leave";
    std::vector<std::string> onRotate;
    std::chrono::milliseconds lockWait = 5s;
};

/// Profiles over one temp dir: outputs in out/NAME.token, state in state/.
struct World
{
    TempDir dir;
    ManualClock clock;
    std::shared_ptr<StateStore> state = std::make_shared<StateStore>(dir.file("state"));
    std::map<std::string, std::shared_ptr<FlowScript>> scripts;

    /// A profile answered by script `scriptName` (default: its own name).
    std::shared_ptr<Profile> profile(const std::string& name, const ProfileOptions& options = {},
                                     std::string scriptName = "")
    {
        if (scriptName.empty())
            scriptName = name;
        auto& script = scripts[scriptName];
        if (!script)
            script = std::make_shared<FlowScript>(scriptName, clock);
        ProfileSpec spec;
        spec.name = name;
        spec.flow = "scripted";
        spec.fingerprint = options.fingerprint;
        spec.onRemove = options.onRemove;
        spec.onRotate = options.onRotate;
        OutputSpec output;
        output.path = outputPath(name);
        spec.outputs.push_back(output);
        std::vector<std::unique_ptr<Output>> outputs;
        outputs.push_back(makeOutput(output));
        return std::make_shared<Profile>(spec, std::make_unique<ScriptedFlow>(script), std::move(outputs), state,
                                         "scripted|" + name, "digest-" + options.fingerprint, clock,
                                         options.lockWait);
    }

    FlowScript& script(const std::string& name) { return *scripts.at(name); }
    std::string outputPath(const std::string& name) const { return dir.file("out/" + name + ".token"); }
    /// The token in a profile's output (raw format: the token and a newline).
    std::string output(const std::string& name) const
    {
        std::string text = contentOf(outputPath(name));
        if (!text.empty() && text.back() == '\n')
            text.pop_back();
        return text;
    }
    /// An output left by an earlier run.
    void leaveOutput(const std::string& name)
    {
        Poco::File(dir.file("out")).createDirectories();
        writeFile(outputPath(name), "a token from an earlier run\n", 0600);
    }
    /// True once the output holds the script's latest token.
    bool publishes(const std::string& profile, const std::string& scriptName)
    {
        const std::string token = script(scriptName).lastToken();
        return !token.empty() && output(profile) == token;
    }
};

RefreshPolicy policy()
{
    RefreshPolicy p;
    p.at = 0.8;
    p.minBackoff = 10;
    p.maxBackoff = 300;
    return p;
}

std::optional<ProfileView> viewOf(const Scheduler& scheduler, const std::string& name)
{
    for (const auto& view : scheduler.snapshot())
    {
        if (view.name == name)
            return view;
    }
    return std::nullopt;
}

} // namespace

namespace TokenBroker {
std::ostream& operator<<(std::ostream& out, ProfileStatus status)
{
    return out << toString(status);
}
} // namespace TokenBroker

BOOST_AUTO_TEST_SUITE(Reload)

BOOST_AUTO_TEST_CASE(reload_while_queued_behind_hanging_renewals_keeps_every_schedule)
{
    World w;
    auto hang1 = w.profile("a-hang1");
    auto hang2 = w.profile("b-hang2");
    auto victim = w.profile("c-victim");
    auto gone = w.profile("d-gone", {.onRemove = "remove"});
    w.leaveOutput("d-gone");
    w.script("a-hang1").hold();
    w.script("b-hang2").hold();

    Scheduler scheduler(policy(), 2, w.clock);
    scheduler.start({hang1, hang2, victim, gone});
    BOOST_REQUIRE(w.script("a-hang1").waitForHeld(1));
    BOOST_REQUIRE(w.script("b-hang2").waitForHeld(1));
    // Both workers hang in the network; the other two wait in the queue.
    BOOST_TEST(w.script("c-victim").calls() == 0);
    BOOST_TEST(w.script("d-gone").calls() == 0);

    auto changedVictim = w.profile("c-victim", {.fingerprint = "v2"}, "c-victim.v2");
    scheduler.apply({hang1, hang2, changedVictim});
    // Nothing ran for the removed profile, so on_remove ran at once.
    BOOST_TEST(!exists(w.outputPath("d-gone")));

    w.script("a-hang1").release();
    w.script("b-hang2").release();
    BOOST_TEST(waitFor([&] { return w.publishes("c-victim", "c-victim.v2"); }));
    BOOST_TEST(waitFor([&] { return w.publishes("a-hang1", "a-hang1") && w.publishes("b-hang2", "b-hang2"); }));
    BOOST_TEST(w.script("c-victim").calls() == 0, "the replaced profile's queued renewal must not run");
    BOOST_TEST(w.script("d-gone").calls() == 0);
    // Recorded just after the outputs are written: waited for, not sampled.
    BOOST_TEST(waitFor([&] { return scheduler.firstPassDone(); }));

    // Every live profile is renewed when its time comes (80 % of 100 s).
    w.clock.advance(81s);
    scheduler.wake();
    BOOST_TEST(w.script("a-hang1").waitForCalls(2));
    BOOST_TEST(w.script("b-hang2").waitForCalls(2));
    BOOST_TEST(w.script("c-victim.v2").waitForCalls(2));
    BOOST_TEST(waitFor([&] {
        return w.output("c-victim") == "c-victim.v2-2" && w.output("a-hang1") == "a-hang1-2" &&
               w.output("b-hang2") == "b-hang2-2";
    }));
    BOOST_TEST(!exists(w.outputPath("d-gone")));
    BOOST_TEST(scheduler.stop() == 0u);
}

BOOST_AUTO_TEST_CASE(reload_while_running_publishes_only_the_successor)
{
    World w;
    auto changing = w.profile("p");
    auto removed = w.profile("q", {.onRemove = "remove"});
    w.leaveOutput("q");
    w.script("p").hold();
    w.script("q").hold();

    Scheduler scheduler(policy(), 2, w.clock);
    scheduler.start({changing, removed});
    BOOST_REQUIRE(w.script("p").waitForHeld(1));
    BOOST_REQUIRE(w.script("q").waitForHeld(1));

    auto successor = w.profile("p", {.fingerprint = "v2"}, "p.v2");
    w.script("p.v2").hold();
    scheduler.apply({successor});
    // q's renewal still runs: its outputs go when it ends, not before.
    BOOST_TEST(exists(w.outputPath("q")));

    w.script("p").release();
    w.script("q").release();
    // A worker is free again only after the retired renewals ended.
    BOOST_REQUIRE(w.script("p.v2").waitForHeld(1));
    BOOST_TEST(waitFor([&] { return !exists(w.outputPath("q")); }), "on_remove: remove after the renewal ended");
    BOOST_TEST(!exists(w.outputPath("p")), "the replaced profile's late answer must not reach the outputs");

    w.script("p.v2").release();
    BOOST_TEST(waitFor([&] { return w.output("p") == "p.v2-1"; }));
    w.clock.advance(81s);
    scheduler.wake();
    BOOST_TEST(waitFor([&] { return w.output("p") == "p.v2-2"; }));
    BOOST_TEST(w.script("p").calls() == 1);
    BOOST_TEST(w.script("q").calls() == 1);
    BOOST_TEST(!exists(w.outputPath("q")));
    BOOST_TEST(scheduler.stop() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(NothingBlocksTheScheduler)

BOOST_AUTO_TEST_CASE(a_state_lock_held_by_another_process_delays_neither_other_profiles_nor_expiry)
{
    World w;
    auto locked = w.profile("locked", {.lockWait = 1s});
    auto free1 = w.profile("free1");
    auto free2 = w.profile("free2");
    Scheduler scheduler(policy(), 4, w.clock);
    scheduler.start({locked, free1, free2});
    BOOST_REQUIRE(waitFor([&] {
        return w.publishes("locked", "locked") && w.publishes("free1", "free1") && w.publishes("free2", "free2");
    }));

    // `tokenbroker login` in another process holds the profile's lock for
    // two minutes.
    const std::string lockPath = w.state->lockPathFor("locked");
    ChildProcess holder(TOKENBROKER_TEST_HELPER, {.args = {"hold-lock", lockPath, "120"}});
    BOOST_REQUIRE(waitFor([&] { return FileLock::isHeld(lockPath); }));

    w.clock.advance(81s);
    scheduler.wake();
    BOOST_TEST(waitFor([&] { return w.output("free1") == "free1-2" && w.output("free2") == "free2-2"; }));
    BOOST_TEST(waitFor([&] { return contains(locked->lastError(), "locked by another process"); }));
    BOOST_TEST(w.script("locked").calls() == 1, "no flow call without the lock");

    // The locked profile's token runs out: it leaves the outputs on time.
    w.clock.advance(20s);
    scheduler.wake();
    BOOST_TEST(waitFor([&] { return !exists(w.outputPath("locked")); }));
    BOOST_TEST(waitFor([&] { return viewOf(scheduler, "locked")->status == ProfileStatus::Expired; }));
    BOOST_TEST(w.output("free1") == "free1-2");
    BOOST_TEST(w.output("free2") == "free2-2");
    BOOST_TEST(holder.running(), "the lock was held throughout");
    holder.kill();
    holder.wait(30s);

    // With the lock free again the profile recovers by itself at its next
    // attempt (once the one that may be waiting for the lock gave up).
    BOOST_REQUIRE(waitFor([&] { return !viewOf(scheduler, "locked")->inFlight; }));
    w.clock.set(viewOf(scheduler, "locked")->nextRefreshMs);
    scheduler.wake();
    BOOST_TEST(waitFor([&] { return w.output("locked") == "locked-2"; }));
    BOOST_TEST(scheduler.stop() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Answers)

BOOST_AUTO_TEST_CASE(a_token_expired_on_arrival_is_a_failure_with_backoff_that_names_clock_skew)
{
    World w;
    const std::string hookRan = w.dir.file("hook-ran");
    auto profile = w.profile("skewed", {.onRotate = {TOKENBROKER_TEST_HELPER, "touch", hookRan}});
    w.script("skewed").pushExpiredToken(30s);
    Scheduler scheduler(policy(), 2, w.clock);
    const std::int64_t start = w.clock.nowMs();
    scheduler.start({profile});

    BOOST_REQUIRE(waitFor([&] { return viewOf(scheduler, "skewed")->consecutiveFailures == 1; }));
    const ProfileView view = *viewOf(scheduler, "skewed");
    BOOST_TEST(view.status != ProfileStatus::Ready);
    BOOST_TEST(contains(view.lastError, "clock skew"), view.lastError);
    BOOST_TEST(contains(view.lastError, "expired on arrival"), view.lastError);
    BOOST_TEST(view.nextRefreshMs >= start + policy().minBackoff * 1000, "backs off, no one-second loop");
    BOOST_TEST(!exists(w.outputPath("skewed")), "an expired token is never published");
    BOOST_TEST(!exists(hookRan), "nor announced to on_rotate");
    BOOST_TEST(w.script("skewed").calls() == 1);

    w.clock.set(view.nextRefreshMs);
    scheduler.wake();
    BOOST_TEST(waitFor([&] { return w.output("skewed") == "skewed-2"; }));
    BOOST_TEST(waitFor([&] { return exists(hookRan); }));
    BOOST_TEST(scheduler.stop() == 0u);
}

BOOST_AUTO_TEST_CASE(a_failed_output_write_is_retried_with_the_token_held_not_a_new_renewal)
{
    World w;
    // The output's directory cannot be created: a file stands in its place.
    writeFile(w.dir.file("out"), "not a directory\n", 0600);
    auto profile = w.profile("blocked");
    Scheduler scheduler(policy(), 2, w.clock);
    scheduler.start({profile});
    BOOST_REQUIRE(waitFor([&] { return viewOf(scheduler, "blocked")->consecutiveFailures == 1; }));
    BOOST_TEST(viewOf(scheduler, "blocked")->status == ProfileStatus::Retrying);
    BOOST_TEST(w.script("blocked").calls() == 1);

    std::remove(w.dir.file("out").c_str());
    w.clock.set(viewOf(scheduler, "blocked")->nextRefreshMs);
    scheduler.wake();
    BOOST_TEST(waitFor([&] { return w.output("blocked") == "blocked-1"; }), "the token already held is written");
    BOOST_TEST(waitFor([&] { return viewOf(scheduler, "blocked")->status == ProfileStatus::Ready; }));
    BOOST_TEST(w.script("blocked").calls() == 1, "no second renewal (it would rotate refresh tokens for nothing)");
    BOOST_TEST(scheduler.stop() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Bursts)

BOOST_AUTO_TEST_CASE(the_end_of_a_burst_is_announced_once_after_its_last_renewal)
{
    World w;
    std::vector<std::shared_ptr<Profile>> profiles;
    for (const char* name : {"a", "b", "c", "d", "e", "slow"})
        profiles.push_back(w.profile(name));
    w.script("slow").hold();

    std::mutex mutex;
    int announced = 0;
    std::vector<int> publishedWhenAnnounced;
    auto publishedCount = [&] {
        int n = 0;
        for (const char* name : {"a", "b", "c", "d", "e", "slow"})
            n += w.publishes(name, name) ? 1 : 0;
        return n;
    };
    Scheduler scheduler(policy(), 2, w.clock);
    scheduler.onIdle([&] {
        const int published = publishedCount();
        std::lock_guard<std::mutex> lock(mutex);
        ++announced;
        publishedWhenAnnounced.push_back(published);
    });
    auto announcements = [&] {
        std::lock_guard<std::mutex> lock(mutex);
        return announced;
    };
    scheduler.start(profiles);
    BOOST_REQUIRE(w.script("slow").waitForHeld(1));
    BOOST_REQUIRE(waitFor([&] { return publishedCount() == 5; }));
    BOOST_TEST(announcements() == 0, "a renewal still runs: the burst is not over");

    w.script("slow").release();
    BOOST_TEST(waitFor([&] { return announcements() == 1; }));
    BOOST_TEST(waitFor([&] { return scheduler.firstPassDone(); }));
    // The next wave (80 % of 100 s) is a burst of its own.
    w.clock.advance(81s);
    scheduler.wake();
    BOOST_TEST(waitFor([&] { return announcements() == 2; }));
    BOOST_TEST(scheduler.stop() == 0u);
    std::lock_guard<std::mutex> lock(mutex);
    BOOST_TEST(announced == 2);
    BOOST_TEST(publishedWhenAnnounced.at(0) == 6, "announced only after every renewal of the first burst");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Stopping)

BOOST_AUTO_TEST_CASE(a_renewal_in_flight_at_stop_finishes_and_is_stored)
{
    World w;
    auto profile = w.profile("inflight");
    w.script("inflight").hold();
    Scheduler scheduler(policy(), 2, w.clock);
    scheduler.start({profile});
    BOOST_REQUIRE(w.script("inflight").waitForHeld(1));

    // Not abandoned: stop reports it still running and keeps waiting.
    BOOST_TEST(scheduler.stop(0ms) == 1u);
    w.script("inflight").release();
    BOOST_TEST(scheduler.stop(60s) == 0u);
    BOOST_TEST(w.output("inflight") == "inflight-1");
    auto stored = w.state->peekToken("inflight", "scripted|inflight", "digest-v1");
    BOOST_TEST((stored && stored->accessToken == "inflight-1"));
}

BOOST_AUTO_TEST_CASE(host_sleep_returns_at_once_when_stopping)
{
    TempDir dir;
    auto stop = std::make_shared<StopSignal>();
    ProfileHost host("sleeper", "https://127.0.0.1:9", HttpClient("", HttpTimeouts{}),
                     std::make_shared<StateStore>(dir.file("state")), "id", Clock::system(), stop);
    const tokenbroker_host* table = host.table();
    auto sleeping = std::async(std::launch::async, [table] { return table->sleep_ms(table->context, 600'000); });
    BOOST_TEST((sleeping.wait_for(200ms) == std::future_status::timeout), "sleeps while nothing stops it");
    stop->raise();
    BOOST_REQUIRE((sleeping.wait_for(60s) == std::future_status::ready));
    BOOST_TEST(sleeping.get() == TOKENBROKER_RETRY);
    BOOST_TEST(table->sleep_ms(table->context, 600'000) == TOKENBROKER_RETRY, "later sleeps return at once");
}

BOOST_AUTO_TEST_SUITE_END()
