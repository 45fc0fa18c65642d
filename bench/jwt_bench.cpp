// jwt_bench: how fast the jwt flow signs assertions and completes token
// exchanges. Prints `name value` lines for run-jwt-bench.sh, which sets them
// against `openssl speed rsa2048` measured in the same run.
//
//   jwt_bench --key PRIVATE.pem --public-key PUBLIC.pem [--seconds N]
//
// signing:  JwtAssertion::sign with the plugin's own code and that key.
// acquire:  `tokenbroker once` work in a loop, in process: the real jwt plugin
//           signs, the host's HTTPS client exchanges the assertion with a local
//           coze-emulator (fresh TLS connection, strict verification), the
//           answer is classified, stored in state_dir and written to a file.

#include "LoadedConfig.h"
#include "ConfigLoader.h"
#include "EmulatorProcess.h"
#include "JwtAssertion.h"
#include "RsaSigningKey.h"
#include "PluginKit.h"
#include "TempDir.h"

#include <Poco/Path.h>

#include <chrono>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <stdexcept>
#include <string>

using namespace TokenBroker;
using Stopwatch = std::chrono::steady_clock;

namespace {

struct Options
{
    std::string key;
    std::string publicKey;
    double seconds = 3;
};

Options parse(int argc, char** argv)
{
    Options options;
    for (int i = 1; i + 1 < argc; i += 2)
    {
        const std::string name = argv[i];
        if (name == "--key")
            options.key = argv[i + 1];
        else if (name == "--public-key")
            options.publicKey = argv[i + 1];
        else if (name == "--seconds")
            options.seconds = std::stod(argv[i + 1]);
        else
            throw std::invalid_argument("unknown option " + name);
    }
    if (options.key.empty() || options.publicKey.empty() || options.seconds <= 0)
        throw std::invalid_argument("usage: jwt_bench --key PRIVATE.pem --public-key PUBLIC.pem [--seconds N]");
    // The broker config lives in a temp dir; relative paths would resolve there.
    options.key = Poco::Path(options.key).absolute().toString();
    return options;
}

/// Runs `step` until `seconds` have passed; returns completions per second.
template <typename Step>
double rate(double seconds, Step step)
{
    step();  // warm-up: first-use costs (provider fetch, TLS init) are not the steady state
    const auto start = Stopwatch::now();
    const auto budget = std::chrono::duration<double>(seconds);
    long count = 0;
    while (Stopwatch::now() - start < budget)
    {
        step();
        ++count;
    }
    return count / std::chrono::duration<double>(Stopwatch::now() - start).count();
}

double signingRate(const Options& options)
{
    auto key = std::make_shared<const Jwt::RsaSigningKey>(Test::readFile(options.key));
    Jwt::JwtAssertion assertion(key, "kid-bench");
    Jwt::JwtClaims claims;
    claims.issuer = "1180";
    claims.audience = "api.coze.cn";
    claims.issuedAt = 1795561765;
    claims.expiresAt = claims.issuedAt + 600;
    long serial = 0;
    std::size_t bytes = 0;
    double result = rate(options.seconds, [&] {
        claims.jwtId = std::to_string(++serial);
        bytes += assertion.sign(claims).size();
    });
    if (bytes == 0)
        throw std::runtime_error("no assertion was signed");
    return result;
}

double acquireRate(const Options& options)
{
    Test::EmulatorProcess::Options emulatorOptions;
    emulatorOptions.appsYaml = "apps:\n"
                               "  - client_id: \"1180\"\n"
                               "    type: jwt\n"
                               "    public_keys: { kid-bench: bench.pub.pem }\n";
    emulatorOptions.files["bench.pub.pem"] = Test::readFile(options.publicKey);
    Test::EmulatorProcess emulator(emulatorOptions);

    Test::TempDir dir;
    const std::string yaml = "broker:\n"
                             "  state_dir: " + dir.file("state") + "\n"
                             "  plugin_dirs: [" TOKENBROKER_PLUGIN_DIR "]\n"
                             "  admin: off\n"
                             "profiles:\n"
                             "  bench:\n"
                             "    flow: jwt\n"
                             "    base_url: " + emulator.baseUrl() + "\n"
                             "    ca_file: " + emulator.caFile() + "\n"
                             "    client_id: \"1180\"\n"
                             "    public_key_id: kid-bench\n"
                             "    private_key: { file: " + options.key + " }\n"
                             "    outputs: [ { file: " + dir.file("bench.token") + " } ]\n";
    Config config = ConfigLoader::loadString(yaml, "bench.yaml", dir.path());
    LoadedConfig broker(config, LoadedConfig::loadPlugins(config.broker));
    auto profile = broker.find("bench");
    return rate(options.seconds, [&] {
        FlowResult result = profile->renew();
        if (!result.ok())
            throw std::runtime_error("acquire failed: " + result.message);
    });
}

} // namespace

int main(int argc, char** argv)
{
    try
    {
        const Options options = parse(argc, argv);
        std::cout << std::fixed << std::setprecision(1);
        std::cout << "jwt_sign_per_s " << signingRate(options) << std::endl;
        std::cout << "jwt_acquire_per_s " << acquireRate(options) << std::endl;
        return 0;
    }
    catch (const std::exception& e)
    {
        std::cerr << "jwt_bench: " << e.what() << std::endl;
        return 1;
    }
}
