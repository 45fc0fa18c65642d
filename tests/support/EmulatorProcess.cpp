#include "EmulatorProcess.h"

#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace TokenBroker::Test {

std::string HttpResult::header(const std::string& name) const
{
    for (const auto& [key, value] : headers)
        if (Poco::icompare(key, name) == 0)
            return value;
    return {};
}

bool HttpResult::hasHeader(const std::string& name) const
{
    for (const auto& entry : headers)
        if (Poco::icompare(entry.first, name) == 0)
            return true;
    return false;
}

Poco::JSON::Object::Ptr HttpResult::json() const
{
    Poco::Dynamic::Var parsed = Poco::JSON::Parser().parse(body);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
        throw std::runtime_error("response body is not a JSON object: " + body);
    return parsed.extract<Poco::JSON::Object::Ptr>();
}

EmulatorProcess::EmulatorProcess(const std::string& appsYaml)
    : EmulatorProcess(Options{appsYaml, "", {}, false, {}})
{
}

EmulatorProcess::EmulatorProcess(Options options)
{
    initializeClientSsl();
    for (const auto& [name, content] : options.files)
    {
        Poco::File(Poco::Path(_dir.file(name)).parent()).createDirectories();
        writeFile(_dir.file(name), content, 0600);
    }
    std::string appsFile = options.appsFile;
    if (appsFile.empty())
    {
        appsFile = _dir.file("apps.yaml");
        writeFile(appsFile, options.appsYaml, 0600);
    }

    ChildProcess::Options child;
    child.args = {"--listen=127.0.0.1:0", "--apps=" + appsFile, "--ca-out=" + caFile()};
    if (options.http)
        child.args.push_back("--http");
    child.args.insert(child.args.end(), options.extraArgs.begin(), options.extraArgs.end());
    _process = std::make_unique<ChildProcess>(TOKENBROKER_EMULATOR_EXE, child);

    std::string line = firstLine(*_process, std::chrono::seconds(30), "coze-emulator");
    const std::string prefix = std::string("listening on ") + (options.http ? "http://" : "https://") + "127.0.0.1:";
    if (line.rfind(prefix, 0) != 0)
        throw std::runtime_error("unexpected first line from coze-emulator: " + line);
    _baseUrl = line.substr(std::string("listening on ").size());
    _port = static_cast<std::uint16_t>(std::stoi(line.substr(prefix.size())));

    // With --cert/--key there is no generated CA: the test brings its own
    // and talks to the emulator with its own client.
    if (!options.http && Poco::File(caFile()).exists())
    {
        _context = strictClientContext(caFile());
    }
}

EmulatorProcess::~EmulatorProcess()
{
    try
    {
        stop();
    }
    catch (...)
    {
    }
}

int EmulatorProcess::stop()
{
    _process->requestStop();
    auto status = _process->wait(std::chrono::seconds(10));
    return status.value_or(-1);
}

HttpResult EmulatorProcess::request(const std::string& method, const std::string& pathAndQuery,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    const std::string& body) const
{
    return requestLoopback(_port, _context, method, pathAndQuery, headers, body);
}

void initializeClientSsl()
{
    // Process-wide: SSL initialised once and any certificate OpenSSL
    // rejects stays rejected (the default handler could prompt on stdin).
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Net::initializeSSL();
        Poco::Net::SSLManager::InvalidCertificateHandlerPtr reject(new Poco::Net::RejectCertificateHandler(false));
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
        params.loadDefaultCAs = false;
        Poco::Net::SSLManager::instance().initializeClient(
            nullptr, reject, new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
    });
}

namespace {

/// Output of the child so far; "" until the child has created its output
/// file (ChildProcess::out() throws in that short window after start).
std::string outputSoFar(ChildProcess& process, bool onStderr)
{
    try
    {
        return onStderr ? process.err() : process.out();
    }
    catch (const std::runtime_error&)
    {
        return {};
    }
}

} // namespace

std::string firstLine(ChildProcess& process, std::chrono::milliseconds timeout, const std::string& what)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        std::string out = outputSoFar(process, false);
        if (auto newline = out.find('\n'); newline != std::string::npos)
            return out.substr(0, newline);
        if (!process.running() || std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error(what + " did not start: " + outputSoFar(process, true));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

Poco::Net::Context::Ptr strictClientContext(const std::string& caFile)
{
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.loadDefaultCAs = false;
    params.caLocation = caFile;
    return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
}

HttpResult requestLoopback(std::uint16_t port, const Poco::Net::Context::Ptr& context, const std::string& method,
                           const std::string& pathAndQuery,
                           const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body)
{
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (context)
        session = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", port, context);
    else
        session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", port);
    session->setTimeout(Poco::Timespan(30, 0));

    Poco::Net::HTTPRequest request(method, pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers)
        request.add(name, value);
    if (!body.empty() || method == "POST")
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    session->sendRequest(request) << body;
    return receiveResult(*session);
}

HttpResult receiveResult(Poco::Net::HTTPClientSession& session)
{
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpResult result;
    result.status = static_cast<int>(response.getStatus());
    for (const auto& header : response)
        result.headers.push_back(header);
    Poco::StreamCopier::copyToString(in, result.body);
    return result;
}

HttpResult EmulatorProcess::postJson(const std::string& path, const std::string& body,
                                     std::vector<std::pair<std::string, std::string>> headers) const
{
    headers.emplace_back("Content-Type", "application/json");
    return request("POST", path, headers, body);
}

void EmulatorProcess::expectOk(const HttpResult& result, const std::string& what) const
{
    if (result.status != 200)
        throw std::runtime_error(what + " failed: HTTP " + std::to_string(result.status) + " " + result.body);
}

void EmulatorProcess::approveDevice(const std::string& userCode, bool deny) const
{
    Poco::JSON::Object body;
    body.set("user_code", userCode);
    body.set("deny", deny);
    std::ostringstream text;
    body.stringify(text);
    expectOk(postJson("/_emulator/device/approve", text.str()), "device approval");
}

void EmulatorProcess::addFaults(const std::string& rulesJson) const
{
    expectOk(postJson("/_emulator/faults", rulesJson), "adding faults");
}

Poco::JSON::Array::Ptr EmulatorProcess::requests() const
{
    HttpResult result = request("GET", "/_emulator/requests");
    expectOk(result, "listing requests");
    return Poco::JSON::Parser().parse(result.body).extract<Poco::JSON::Array::Ptr>();
}

void EmulatorProcess::reset() const
{
    expectOk(postJson("/_emulator/reset", "{}"), "reset");
}

void EmulatorProcess::revoke(const std::string& refreshToken) const
{
    Poco::JSON::Object body;
    body.set("refresh_token", refreshToken);
    std::ostringstream text;
    body.stringify(text);
    expectOk(postJson("/_emulator/revoke", text.str()), "revoke");
}

void EmulatorProcess::advanceClock(std::int64_t seconds) const
{
    expectOk(postJson("/_emulator/clock", "{\"advance_seconds\":" + std::to_string(seconds) + "}"), "clock advance");
}

} // namespace TokenBroker::Test
