// A profile's flow settings bound against a schema with every setting type,
// as a plugin's would be: any YAML gives bound values or located errors.
#include "ConfigLoader.h"
#include "FlowSchema.h"
#include "SettingsBinder.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

const TokenBroker::FlowSchema& schema()
{
    static const TokenBroker::FlowSchema parsed = TokenBroker::FlowSchema::parse(R"({
      "token":     {"type": "secret", "required": true},
      "client_id": {"type": "string"},
      "verify":    {"type": "boolean"},
      "retries":   {"type": "integer"},
      "duration":  {"type": "duration"},
      "claims":    {"type": "object"},
      "scopes":    {"type": "list"}
    })");
    return parsed;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try
    {
        TokenBroker::Config config = TokenBroker::ConfigLoader::parseString(text, "fuzz.yaml", "/nonexistent");
        for (const auto& profile : config.profiles)
        {
            TokenBroker::Diagnostics diagnostics;
            TokenBroker::bindSettings(profile, schema(), diagnostics);
        }
    }
    catch (const TokenBroker::ConfigErrors&)
    {
    }
    return 0;
}
