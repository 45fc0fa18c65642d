#include "Clock.h"

#include <chrono>
#include <cstdlib>
#include <fstream>

namespace TokenBroker {

namespace {

class SystemClock : public Clock
{
public:
    SystemClock()
    {
        if (const char* file = std::getenv("TOKENBROKER_TEST_CLOCK_OFFSET_FILE"))
            _offsetFile = file;
    }

    std::int64_t nowMs() const override
    {
        auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        return now + offsetMs();
    }

private:
    std::int64_t offsetMs() const
    {
        if (_offsetFile.empty())
            return 0;
        std::ifstream in(_offsetFile);
        long long seconds = 0;
        in >> seconds;
        return in ? seconds * 1000 : 0;
    }

    std::string _offsetFile;
};

} // namespace

const Clock& Clock::system()
{
    static const SystemClock clock;
    return clock;
}

} // namespace TokenBroker
