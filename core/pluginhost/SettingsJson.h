#pragma once

#include <Poco/JSON/Object.h>

#include <string>

namespace TokenBroker {

/// The bound settings as the JSON text a plugin's create() takes: byte for
/// byte what Poco::JSON::Object::stringify writes (the settings fingerprint
/// stored with each token is taken of it, so tokens stored by earlier
/// versions stay valid), written straight into a string. The stream-based
/// writer was a tenth of `check`'s time for 10,000 profiles.
std::string settingsJson(const Poco::JSON::Object& settings);

} // namespace TokenBroker
