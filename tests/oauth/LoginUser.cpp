#include "LoginUser.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/SHA2Engine.h>
#include <Poco/URI.h>

#include <sstream>
#include <stdexcept>
#include <thread>

namespace TokenBroker::Test::OAuth {

namespace {

/// The rest of the line that follows `marker` in the login's stdout.
std::string lineAfter(ChildProcess& login, const std::string& marker, std::chrono::milliseconds timeout)
{
    if (!login.waitForOutput(marker, timeout))
        throw std::runtime_error("login never printed '" + marker + "'; stdout:\n" + login.out() + "\nstderr:\n" +
                                 login.err());
    // The line may still be in flight: wait for its end.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        const std::string out = login.out();
        const std::size_t start = out.find(marker) + marker.size();
        const std::size_t end = out.find('\n', start);
        if (end != std::string::npos)
            return out.substr(start, end - start);
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("unterminated line after '" + marker + "': " + out);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

} // namespace

std::string readUserCode(ChildProcess& login, std::chrono::milliseconds timeout)
{
    return lineAfter(login, "and enter the code\n\n      ", timeout);
}

std::string readAuthorizeUrl(ChildProcess& login, std::chrono::milliseconds timeout)
{
    return lineAfter(login, "open this URL in a browser:\n\n      ", timeout);
}

std::string authorize(const EmulatorProcess& emulator, const std::string& authorizeUrl)
{
    if (authorizeUrl.rfind(emulator.baseUrl() + "/", 0) != 0)
        throw std::runtime_error("the authorize URL is not on the emulator: " + authorizeUrl);
    HttpResult answer = emulator.request("GET", authorizeUrl.substr(emulator.baseUrl().size()));
    if (answer.status != 302 || answer.header("Location").empty())
        throw std::runtime_error("authorize answered " + std::to_string(answer.status) + ": " + answer.body);
    return answer.header("Location");
}

HttpResult browse(const std::string& url)
{
    Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    return receiveResult(session);
}

std::string queryParameter(const std::string& url, const std::string& name)
{
    for (const auto& [key, value] : Poco::URI(url).getQueryParameters())
        if (key == name)
            return value;
    return {};
}

std::string withQueryParameter(const std::string& url, const std::string& name, const std::string& value)
{
    Poco::URI uri(url);
    Poco::URI::QueryParameters parameters = uri.getQueryParameters();
    bool replaced = false;
    for (auto& [key, current] : parameters)
        if (key == name)
        {
            current = value;
            replaced = true;
        }
    if (!replaced)
        parameters.emplace_back(name, value);
    uri.setQueryParameters(parameters);
    return uri.toString();
}

std::string s256(const std::string& verifier)
{
    Poco::SHA2Engine sha256(Poco::SHA2Engine::SHA_256);
    sha256.update(verifier);
    const Poco::DigestEngine::Digest& digest = sha256.digest();
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
    encoder.close();
    return out.str();
}

} // namespace TokenBroker::Test::OAuth
