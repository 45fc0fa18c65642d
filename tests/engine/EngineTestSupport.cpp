#include "EngineTestSupport.h"

#include "TestKeys.h"
#include "TextMatch.h"
#include "FileStamp.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <thread>


namespace TokenBroker::Test::Engine {

std::string accountTokenPath(const std::string& accountId)
{
    return "/api/permission/oauth2/account/" + accountId + "/token";
}

Keys::Keys()
    : privateKey(dir.file("app.pem"))
    , publicKey(dir.file("app.pub.pem"))
{
    writeRsaKeyPair(privateKey, publicKey);
}

const Keys& Keys::get()
{
    // RSA generation takes a moment; one key serves every test case.
    static const Keys keys;
    return keys;
}

std::unique_ptr<EmulatorProcess> startEmulator(const std::string& extraYaml)
{
    EmulatorProcess::Options options;
    options.appsYaml = std::string("apps:\n"
                                   "  - client_id: \"") + kClientId + "\"\n"
                       "    type: jwt\n"
                       "    public_keys: { " + kKeyId + ": app.pub.pem }\n" + extraYaml;
    options.files["app.pub.pem"] = readFile(Keys::get().publicKey);
    return std::make_unique<EmulatorProcess>(options);
}

void BrokerConfig::write(const std::vector<std::string>& profiles, const std::string& brokerExtra,
                         const std::string& tail) const
{
    std::string text = "broker:\n"
                       "  state_dir: state\n"
                       "  admin: { listen: \"127.0.0.1:0\" }\n" +
                       brokerExtra + "profiles:\n";
    for (const auto& profile : profiles)
        text += profile;
    writeFile(path, text + tail);
}

std::string BrokerConfig::jwtProfile(const std::string& name, const EmulatorProcess& emulator,
                                     const std::string& extra) const
{
    return "  " + name + ":\n"
           "    flow: jwt\n"
           "    base_url: " + emulator.baseUrl() + "\n"
           "    ca_file: " + emulator.caFile() + "\n"
           "    client_id: \"" + kClientId + "\"\n"
           "    public_key_id: " + kKeyId + "\n"
           "    private_key: { file: " + Keys::get().privateKey + " }\n" +
           extra +
           "    outputs:\n"
           "      - file: out/" + name + ".token\n"
           "      - file: out/" + name + ".json\n"
           "        format: json\n";
}

std::string BrokerConfig::patProfile(const std::string& name, const std::string& token, const std::string& extra) const
{
    return "  " + name + ":\n"
           "    flow: pat\n"
           "    token: " + token + "\n" +
           extra +
           "    outputs:\n"
           "      - file: out/" + name + ".token\n";
}

FileState fileState(const std::string& path)
{
    FileState state;
    const std::optional<FileStamp> stamp = fileStamp(path);
    if (!stamp)
        return state;
    state.exists = true;
    state.mtimeNs = stamp->mtimeNs;
    state.inode = stamp->fileId;
    try
    {
        state.content = readFile(path);
    }
    catch (const std::exception&)
    {
        // Removed between stat and read: report it as gone.
        return FileState{};
    }
    return state;
}

std::vector<std::string> listDirectory(const std::string& path)
{
    std::vector<std::string> names;
    for (Poco::DirectoryIterator it(path), end; it != end; ++it)
        names.push_back(it.name());
    std::sort(names.begin(), names.end());
    return names;
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true)
    {
        if (condition())
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(20ms);
    }
}

std::vector<std::string> linesWith(const std::string& text, const std::string& part)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
    {
        if (line.find(part) != std::string::npos)
            lines.push_back(line);
    }
    return lines;
}

std::size_t countOf(const std::string& text, const std::string& part)
{
    std::size_t count = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size()))
        ++count;
    return count;
}

namespace {

ChildProcess::Options brokerOptions(const std::vector<std::string>& args, std::map<std::string, std::string> env)
{
    ChildProcess::Options options;
    options.args = args;
    options.setEnv = std::move(env);
    // The test runner's own settings must not change what the broker does.
    for (const char* name : {"TOKENBROKER_CONFIG", "TOKENBROKER_TEST_CLOCK_OFFSET_FILE", "COZE_API_TOKEN",
                             "COZE_JWT_OAUTH_CLIENT_ID", "COZE_JWT_OAUTH_PUBLIC_KEY_ID", "COZE_JWT_OAUTH_PRIVATE_KEY"})
    {
        if (!options.setEnv.count(name))
            options.unsetEnv.push_back(name);
    }
    return options;
}

} // namespace

std::string helperHookLine(const std::string& helperExe, const std::vector<std::string>& actions)
{
    std::string list = "'" + helperExe + "', hook";
    for (const auto& action : actions)
        list += ", '" + action + "'";
    return "    on_rotate: [" + list + "]\n";
}

DaemonProcess::DaemonProcess(const BrokerConfig& config, std::map<std::string, std::string> env, Stderr stderrKind)
    : _config(config)
{
    ChildProcess::Options options = brokerOptions({"run", "-c", config.path}, std::move(env));
    options.stderrIsJournal = stderrKind == Stderr::Journal;
    _process = std::make_unique<ChildProcess>(TOKENBROKER_EXE, std::move(options));
}

bool DaemonProcess::waitForLog(const std::string& text, std::chrono::milliseconds timeout, std::size_t times)
{
    return waitUntil([&] { return countOf(log(), text) >= times; }, timeout);
}

std::string DaemonProcess::adminUrl()
{
    if (!_adminUrl.empty())
        return _adminUrl;
    const std::string file = _config.dir.file("state/admin.url");
    // The file may hold a previous daemon's URL: the log line is this one's.
    if (!waitForLog("admin endpoint on http://", kDaemonStartBound))
        throw std::runtime_error("the daemon announced no admin endpoint:\n" + log());
    if (!waitUntil([&] { return fileState(file).exists; }, kDaemonStartBound))
        throw std::runtime_error("no " + file);
    std::string url = readFile(file);
    while (!url.empty() && (url.back() == '\n' || url.back() == '\r'))
        url.pop_back();
    if (!contains(log(), "admin endpoint on " + url))
        throw std::runtime_error("admin.url (" + url + ") is not what the daemon logged:\n" + log());
    _adminUrl = url;
    return _adminUrl;
}

HttpResult DaemonProcess::admin(const std::string& method, const std::string& path,
                                const std::vector<std::pair<std::string, std::string>>& headers)
{
    return httpRequest(adminUrl(), method, path, headers);
}

HttpResult httpRequest(const std::string& baseUrl, const std::string& method, const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& headers)
{
    Poco::URI uri(baseUrl);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers)
        request.set(name, value);
    if (method == "POST")
        request.setContentLength(0);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpResult result;
    result.status = static_cast<int>(response.getStatus());
    result.reason = response.getReason();
    for (const auto& [name, value] : response)
        result.headers.emplace_back(name, value);
    Poco::StreamCopier::copyToString(in, result.body);
    return result;
}

HttpResult DaemonProcess::adminPost(const std::string& path)
{
    return admin("POST", path, {adminAuthorization(_config)});
}

std::pair<std::string, std::string> adminAuthorization(const BrokerConfig& config)
{
    std::string token = readFile(config.stateDir() + "/admin.token");
    while (!token.empty() && token.back() == '\n')
        token.pop_back();
    return {"Authorization", "Bearer " + token};
}

std::optional<int> DaemonProcess::terminate(std::chrono::milliseconds timeout)
{
    if (_process->running())
        _process->requestStop();
    return _process->wait(timeout);
}

namespace {

Poco::JSON::Array::Ptr profileList(DaemonProcess& daemon)
{
    const HttpResult answer = daemon.admin("GET", "/v1/profiles");
    if (answer.status != 200)
        throw std::runtime_error("GET /v1/profiles answered " + std::to_string(answer.status));
    return Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Array::Ptr>();
}

} // namespace

Poco::JSON::Object::Ptr profileView(DaemonProcess& daemon, const std::string& name)
{
    const Poco::JSON::Array::Ptr list = profileList(daemon);
    for (std::size_t i = 0; i < list->size(); ++i)
    {
        auto view = list->getObject(static_cast<unsigned>(i));
        if (view->getValue<std::string>("name") == name)
            return view;
    }
    return nullptr;
}

std::string profileStatus(DaemonProcess& daemon, const std::string& name)
{
    auto view = profileView(daemon, name);
    return view ? view->getValue<std::string>("status") : "(no profile " + name + ")";
}

std::vector<std::string> profileNames(DaemonProcess& daemon)
{
    std::vector<std::string> names;
    const Poco::JSON::Array::Ptr list = profileList(daemon);
    for (std::size_t i = 0; i < list->size(); ++i)
        names.push_back(list->getObject(static_cast<unsigned>(i))->getValue<std::string>("name"));
    std::sort(names.begin(), names.end());
    return names;
}

RunResult broker(const std::vector<std::string>& args)
{
    return run(TOKENBROKER_EXE, brokerOptions(args, {}));
}

std::vector<std::int64_t> requestTimes(const EmulatorProcess& emulator, const std::string& path)
{
    std::vector<std::int64_t> times;
    const Poco::JSON::Array::Ptr log = emulator.requests();
    for (const auto& entry : *log)
    {
        auto request = entry.extract<Poco::JSON::Object::Ptr>();
        if (request->getValue<std::string>("path") == path)
            times.push_back(request->getValue<Poco::Int64>("received_ms"));
    }
    return times;
}

void addFault(const EmulatorProcess& emulator, const Fault& fault)
{
    Poco::JSON::Object rule;
    rule.set("path", fault.path);
    if (fault.status)
        rule.set("status", fault.status);
    if (fault.body)
        rule.set("body", *fault.body);
    if (!fault.headers.empty())
    {
        Poco::JSON::Object::Ptr headers = new Poco::JSON::Object;
        for (const auto& [name, value] : fault.headers)
            headers->set(name, value);
        rule.set("headers", headers);
    }
    rule.set("delay_ms", fault.delayMs);
    rule.set("drop", fault.drop);
    rule.set("count", fault.count);
    Poco::JSON::Array rules;
    rules.add(rule);
    std::ostringstream text;
    rules.stringify(text);
    emulator.addFaults(text.str());
}

} // namespace TokenBroker::Test::Engine

namespace TokenBroker::Test::Engine {

std::vector<RetryLine> retryLines(const std::string& log, const std::string& name)
{
    std::vector<RetryLine> result;
    for (const auto& line : linesWith(log, " " + name + ": failed: "))
    {
        const std::size_t attempt = line.rfind("; attempt ");
        const std::size_t in = line.rfind(" (in ");
        if (attempt == std::string::npos || in == std::string::npos)
            continue;
        RetryLine parsed;
        parsed.line = line;
        parsed.attempt = std::stoi(line.substr(attempt + 10));
        // "(in 3s)", "(in 1m5s)": whole seconds.
        std::int64_t total = 0, number = 0;
        for (std::size_t i = in + 5; i < line.size() && line[i] != ')'; ++i)
        {
            const char c = line[i];
            if (c >= '0' && c <= '9')
                number = number * 10 + (c - '0');
            else
            {
                total += number * (c == 'd' ? 86400 : c == 'h' ? 3600 : c == 'm' ? 60 : 1);
                number = 0;
            }
        }
        parsed.delaySeconds = total;
        result.push_back(parsed);
    }
    return result;
}

JwtDaemon::JwtDaemon(const std::string& profileExtra, const std::string& brokerExtra,
                     std::map<std::string, std::string> env)
    : emulator(startEmulator())
{
    config.write({config.jwtProfile("svc", *emulator, profileExtra)}, brokerExtra);
    daemon = std::make_unique<DaemonProcess>(config, std::move(env));
    if (!waitForRenewals(1, kDaemonStartBound) || !fileState(tokenFile()).exists)
        throw std::runtime_error("the daemon published no first token:\n" + daemon->log());
}

std::size_t JwtDaemon::renewals() const
{
    return countOf(daemon->log(), " svc: ok, token valid until ");
}

bool JwtDaemon::waitForRenewals(std::size_t count, std::chrono::milliseconds timeout)
{
    return waitUntil([&] { return renewals() >= count; }, timeout);
}

} // namespace TokenBroker::Test::Engine
