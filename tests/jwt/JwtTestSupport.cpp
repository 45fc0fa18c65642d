#include "JwtTestSupport.h"

#include "TestKeys.h"
#include "TextMatch.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>  // the encoding option flags
#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <sstream>
#include <stdexcept>

namespace TokenBroker::Test::Jwt {

RunResult openssl(const std::vector<std::string>& args, bool mustSucceed)
{
    ChildProcess::Options options;
    options.args = args;
    RunResult result = run("/usr/bin/openssl", options);
    if (mustSucceed && result.status != 0)
        throw std::runtime_error("openssl " + args.front() + " failed: " + result.err);
    return result;
}

Keys::Keys()
    : appPkcs8(dir.file("app.pem"))
    , appPkcs1(dir.file("app.rsa.pem"))
    , appPublic(dir.file("app.pub.pem"))
    , otherPublic(dir.file("other.pub.pem"))
    , strangerPkcs8(dir.file("stranger.pem"))
    , ecKey(dir.file("ec.pem"))
{
    const std::string other = dir.file("other.pem");
    writeRsaKeyPair(appPkcs8, appPublic);
    writeTraditionalRsaKey(appPkcs8, appPkcs1);
    writeRsaKeyPair(other, otherPublic);
    writeRsaKeyPair(strangerPkcs8, dir.file("stranger.pub.pem"));
    writeEcKey(ecKey);
}

const Keys& Keys::get()
{
    // RSA generation takes a moment; one set serves every test case.
    static const Keys keys;
    return keys;
}

std::string distinctiveLine(const std::string& pemPath)
{
    std::istringstream in(readFile(pemPath));
    std::string line;
    std::getline(in, line);
    std::getline(in, line);
    if (line.size() < 40)
        throw std::runtime_error(pemPath + " has no base64 line");
    return line;
}

std::unique_ptr<EmulatorProcess> startEmulator(const std::string& extraYaml)
{
    const Keys& keys = Keys::get();
    EmulatorProcess::Options options;
    options.appsYaml = std::string("apps:\n") +
                       "  - client_id: \"" + kAppId + "\"\n"
                       "    type: jwt\n"
                       "    public_keys: { " + kAppKid + ": keys/app.pub.pem }\n"
                       "  - client_id: \"" + kOtherAppId + "\"\n"
                       "    type: jwt\n"
                       "    public_keys: { " + kOtherKid + ": keys/other.pub.pem }\n" +
                       extraYaml;
    options.files["keys/app.pub.pem"] = readFile(keys.appPublic);
    options.files["keys/other.pub.pem"] = readFile(keys.otherPublic);
    return std::make_unique<EmulatorProcess>(options);
}

BrokerSetup::BrokerSetup(const EmulatorProcess& emulator)
    : baseUrl(emulator.baseUrl())
    , caFile(emulator.caFile())
{
}

void BrokerSetup::write(const Profile& profile, const std::string& brokerExtra) const
{
    std::string text = "broker:\n"
                       "  state_dir: state\n"
                       "  admin: off\n" +
                       brokerExtra +
                       "profiles:\n"
                       "  svc:\n"
                       "    flow: jwt\n"
                       "    base_url: " + baseUrl + "\n"
                       "    ca_file: " + caFile + "\n";
    if (!profile.clientId.empty())
        text += "    client_id: " + profile.clientId + "\n";
    if (!profile.publicKeyId.empty())
        text += "    public_key_id: " + profile.publicKeyId + "\n";
    const std::string key = profile.privateKey.empty() ? "{ file: " + Keys::get().appPkcs8 + " }" : profile.privateKey;
    if (key != "-")
        text += "    private_key: " + key + "\n";
    text += profile.extra;
    text += "    outputs:\n"
            "      - file: out/svc.token\n"
            "      - file: out/svc.json\n"
            "        format: json\n";
    writeFile(config, text);
}

int BrokerSetup::lineOf(const std::string& prefix) const
{
    std::istringstream in(readFile(config));
    std::string line;
    for (int number = 1; std::getline(in, line); ++number)
    {
        if (Poco::trimLeft(line).rfind(prefix, 0) == 0)
            return number;
    }
    throw std::runtime_error("no line starting with " + prefix);
}

ChildProcess::Options brokerOptions(const std::vector<std::string>& args, const std::map<std::string, std::string>& env)
{
    ChildProcess::Options options;
    options.args = args;
    options.setEnv = env;
    for (const char* name : {"TOKENBROKER_CONFIG", "COZE_JWT_OAUTH_CLIENT_ID", "COZE_JWT_OAUTH_PUBLIC_KEY_ID",
                             "COZE_JWT_OAUTH_PRIVATE_KEY"})
    {
        if (!env.count(name))
            options.unsetEnv.push_back(name);
    }
    return options;
}

RunResult broker(const std::vector<std::string>& args, const std::map<std::string, std::string>& env)
{
    return run(TOKENBROKER_EXE, brokerOptions(args, env));
}

std::string base64UrlDecode(const std::string& text)
{
    std::istringstream in(text);
    Poco::Base64Decoder decoder(in, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    std::ostringstream out;
    out << decoder.rdbuf();
    return out.str();
}

DecodedJwt decodeJwt(const std::string& compact)
{
    const std::size_t first = compact.find('.');
    const std::size_t second = compact.find('.', first + 1);
    if (first == std::string::npos || second == std::string::npos || compact.find('.', second + 1) != std::string::npos)
        throw std::runtime_error("not a compact JWS: " + compact);
    DecodedJwt jwt;
    jwt.signingInput = compact.substr(0, second);
    jwt.signature = base64UrlDecode(compact.substr(second + 1));
    jwt.payloadText = base64UrlDecode(compact.substr(first + 1, second - first - 1));
    jwt.header = Poco::JSON::Parser().parse(base64UrlDecode(compact.substr(0, first))).extract<Poco::JSON::Object::Ptr>();
    jwt.payload = Poco::JSON::Parser().parse(jwt.payloadText).extract<Poco::JSON::Object::Ptr>();
    return jwt;
}

std::vector<Poco::JSON::Object::Ptr> tokenRequests(const EmulatorProcess& emulator)
{
    std::vector<Poco::JSON::Object::Ptr> result;
    const Poco::JSON::Array::Ptr log = emulator.requests();  // a temporary Ptr would die before the loop
    for (const auto& entry : *log)
    {
        auto request = entry.extract<Poco::JSON::Object::Ptr>();
        const std::string path = request->getValue<std::string>("path");
        if (path.size() >= 6 && path.compare(path.size() - 6, 6, "/token") == 0)
            result.push_back(request);
    }
    return result;
}

std::string headerOf(const Poco::JSON::Object::Ptr& request, const std::string& name)
{
    for (const auto& [key, value] : *request->getObject("headers"))
    {
        if (Poco::icompare(key, name) == 0)
            return value.toString();
    }
    return "";
}

std::string bearerOf(const Poco::JSON::Object::Ptr& request)
{
    const std::string value = headerOf(request, "Authorization");
    if (value.rfind("Bearer ", 0) != 0)
        throw std::runtime_error("no bearer credential in the request");
    return value.substr(7);
}

} // namespace TokenBroker::Test::Jwt
