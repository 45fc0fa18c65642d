#define BOOST_TEST_MODULE RefreshTimingTest
#include <boost/test/unit_test.hpp>

// When the engine renews and how long it waits after failures: bounds only,
// over many draws, because the backoff is random by design (full jitter).

#include "RefreshTiming.h"

#include <algorithm>
#include <limits>
#include <set>

using TokenBroker::RefreshPolicy;
using TokenBroker::RefreshTiming;

namespace {

constexpr int kDraws = 2000;

RefreshPolicy policy(double at, std::int64_t minBackoff, std::int64_t maxBackoff)
{
    RefreshPolicy p;
    p.at = at;
    p.minBackoff = minBackoff;
    p.maxBackoff = maxBackoff;
    return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(RenewAt)

BOOST_AUTO_TEST_CASE(renews_at_the_configured_fraction_of_the_lifetime)
{
    const std::int64_t obtained = 1700000000;
    BOOST_TEST(RefreshTiming(policy(0.8, 1, 300)).renewAt(obtained, obtained + 900) == (obtained + 720) * 1000);
    BOOST_TEST(RefreshTiming(policy(0.5, 1, 300)).renewAt(obtained, obtained + 900) == (obtained + 450) * 1000);
    BOOST_TEST(RefreshTiming(policy(0.25, 1, 300)).renewAt(obtained, obtained + 3600) == (obtained + 900) * 1000);
}

BOOST_AUTO_TEST_CASE(never_renews_a_token_that_does_not_expire)
{
    RefreshTiming timing(policy(0.8, 1, 300));
    BOOST_TEST(timing.renewAt(1700000000, 0) == std::numeric_limits<std::int64_t>::max());
}

BOOST_AUTO_TEST_CASE(waits_at_least_one_second_after_obtaining)
{
    // A token that lives 1 s, or one already expired on arrival (server
    // clock behind ours), must not make the engine spin.
    const std::int64_t obtained = 1700000000;
    RefreshTiming timing(policy(0.5, 1, 300));
    BOOST_TEST(timing.renewAt(obtained, obtained + 1) == (obtained + 1) * 1000);
    BOOST_TEST(timing.renewAt(obtained, obtained) == (obtained + 1) * 1000);
    BOOST_TEST(timing.renewAt(obtained, obtained - 50) == (obtained + 1) * 1000);
    BOOST_TEST(RefreshTiming(policy(0.01, 1, 300)).renewAt(obtained, obtained + 10) == (obtained + 1) * 1000);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(RetryDelay)

BOOST_AUTO_TEST_CASE(stays_between_min_backoff_and_the_doubling_cap)
{
    RefreshTiming timing(policy(0.8, 2, 60));
    for (int failures = 1; failures <= 12; ++failures)
    {
        const std::int64_t cap = std::min<std::int64_t>(60000, 2000LL << (failures - 1));
        std::int64_t lowest = std::numeric_limits<std::int64_t>::max(), highest = 0;
        for (int i = 0; i < kDraws; ++i)
        {
            const std::int64_t delay = timing.retryDelay(failures, 0);
            lowest = std::min(lowest, delay);
            highest = std::max(highest, delay);
        }
        BOOST_TEST_CONTEXT("attempt " << failures)
        {
            BOOST_TEST(lowest >= 2000);
            BOOST_TEST(highest <= cap);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_first_retry_waits_exactly_min_backoff)
{
    RefreshTiming timing(policy(0.8, 3, 300));
    for (int i = 0; i < kDraws; ++i)
        BOOST_REQUIRE(timing.retryDelay(1, 0) == 3000);
}

BOOST_AUTO_TEST_CASE(is_jittered_rather_than_fixed)
{
    // Full jitter spreads a fleet's retries; a fixed delay would make every
    // broker hit a recovering server at the same instant.
    RefreshTiming timing(policy(0.8, 1, 300));
    std::set<std::int64_t> seen;
    for (int i = 0; i < kDraws; ++i)
        seen.insert(timing.retryDelay(6, 0));
    BOOST_TEST(seen.size() > 100u);
    BOOST_TEST(*seen.begin() >= 1000);
    BOOST_TEST(*seen.rbegin() <= 32000);
}

BOOST_AUTO_TEST_CASE(is_capped_at_max_backoff_however_many_failures)
{
    RefreshTiming timing(policy(0.8, 1, 30));
    for (int failures : {6, 7, 20, 63, 64, 100, 1000, std::numeric_limits<int>::max()})
    {
        for (int i = 0; i < kDraws / 10; ++i)
        {
            const std::int64_t delay = timing.retryDelay(failures, 0);
            BOOST_TEST_CONTEXT("attempt " << failures)
            {
                BOOST_REQUIRE(delay >= 1000);
                BOOST_REQUIRE(delay <= 30000);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(min_equal_to_max_gives_a_fixed_delay)
{
    RefreshTiming timing(policy(0.8, 5, 5));
    for (int failures = 1; failures < 10; ++failures)
        BOOST_TEST(timing.retryDelay(failures, 0) == 5000);
}

BOOST_AUTO_TEST_CASE(honours_retry_after_even_beyond_max_backoff)
{
    // The server knows when it will be back; asking earlier only adds load.
    RefreshTiming timing(policy(0.8, 1, 10));
    for (int i = 0; i < kDraws; ++i)
    {
        BOOST_REQUIRE(timing.retryDelay(1, 3) >= 3000);
        BOOST_REQUIRE(timing.retryDelay(4, 7) >= 7000);
        BOOST_REQUIRE(timing.retryDelay(2, 120) == 120000);
    }
    // A Retry-After shorter than the backoff does not shorten it.
    for (int i = 0; i < kDraws; ++i)
        BOOST_REQUIRE(timing.retryDelay(1, 0) >= 1000);
}

BOOST_AUTO_TEST_CASE(a_retry_after_beyond_an_hour_is_cut_to_an_hour)
{
    RefreshTiming timing(policy(0.8, 1, 10));
    BOOST_TEST(timing.retryDelay(1, 86400 * 30) == 3600 * 1000);
    BOOST_TEST(timing.retryDelay(1, 3600) == 3600 * 1000);
}

BOOST_AUTO_TEST_SUITE_END()
