#include "RenewAll.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

namespace TokenBroker {

std::vector<FlowResult> renewAll(const std::vector<std::shared_ptr<Profile>>& profiles, int workers)
{
    std::vector<FlowResult> results(profiles.size());
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i = next++; i < profiles.size(); i = next++)
        {
            try
            {
                results[i] = profiles[i]->renew();
            }
            catch (const std::exception& e)
            {
                results[i].message = e.what();
            }
        }
    };
    const std::size_t threads = std::min<std::size_t>(static_cast<std::size_t>(std::max(workers, 1)), profiles.size());
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& thread : pool)
        thread.join();
    return results;
}

} // namespace TokenBroker
