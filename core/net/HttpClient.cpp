#include "HttpClient.h"

#include "DeadlineWatchdog.h"
#include "SessionPool.h"
#include "SystemTrust.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <mutex>

namespace TokenBroker {

void initializeTls()
{
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Ptr fallback = new Poco::Net::Context(
            Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_STRICT, 9, false);
        trustSystemAuthorities(*fallback);
        Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject = new Poco::Net::RejectCertificateHandler(false);
        Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, fallback);
    });
}

HttpClient::HttpClient(std::string caFile, HttpTimeouts timeouts)
    : _caFile(std::move(caFile))
    , _timeouts(timeouts)
{
}

Poco::Net::Context::Ptr HttpClient::context() const
{
    try
    {
        return SessionPool::instance().context(_caFile);
    }
    catch (const Poco::Exception& e)
    {
        const std::string trust = _caFile.empty() ? "the system's certificate authorities" : "ca_file '" + _caFile + "'";
        throw TransportError("cannot set up TLS with " + trust + ": " + e.displayText());
    }
}

namespace {

std::string lower(std::string text)
{
    for (auto& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

} // namespace

namespace {

using Verdict = DeadlineWatchdog::Verdict;

/// What a request is doing, for the message when its deadline ends it.
enum class Phase
{
    Connecting,
    Handshake,
    Sending,
    Waiting,
    Reading
};

std::string describe(Phase phase, const std::string& server)
{
    switch (phase)
    {
    case Phase::Connecting: return "connecting to " + server;
    case Phase::Handshake: return "TLS handshake with " + server;
    case Phase::Sending: return "sending the request to " + server;
    case Phase::Waiting: return "waiting for the answer from " + server;
    case Phase::Reading: return "reading the answer from " + server;
    }
    return server;
}

/// A connected session for `uri`, its TLS handshake not yet done: the
/// caller watches the socket first, so the handshake is bounded too.
std::unique_ptr<Poco::Net::HTTPClientSession> connect(const Poco::URI& uri, const Poco::Net::Context::Ptr& context,
                                                      Poco::Timespan timeout)
{
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (context)
    {
        session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
        // POCO would shake hands inside connect(), out of the watchdog's
        // reach, and it ignores a handshake that stalls there (it carries on
        // as if connected and the first write stalls again).
        Poco::Net::SecureStreamSocket secure(session->socket());
        secure.setLazyHandshake(true);
        secure.setPeerHostName(uri.getHost());
    }
    else
    {
        session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    }
    // What HTTPSession::connect() does, with the socket made here: the
    // session then sees itself connected and does not connect again.
    const Poco::Net::SocketAddress address(uri.getHost(), uri.getPort());
    session->socket().connect(address, timeout);
    session->socket().setNoDelay(true);
    return session;
}

void shakeHands(Poco::Net::HTTPClientSession& session)
{
    Poco::Net::SecureStreamSocket secure(session.socket());
    if (secure.completeHandshake() != 1)
        throw Poco::Net::SSLConnectionUnexpectedlyClosedException();
    // Done by POCO only when it shakes hands itself: chain errors fail the
    // handshake already, the host name is checked here.
    secure.verifyPeerCertificate();
}

} // namespace

std::size_t HttpClient::cancelAll()
{
    return DeadlineWatchdog::instance().abortAll();
}

HttpResponse HttpClient::send(const HttpRequest& request) const
{
    Poco::URI uri;
    try
    {
        uri = Poco::URI(request.url);
    }
    catch (const Poco::Exception& e)
    {
        throw std::invalid_argument("invalid URL: " + e.displayText());
    }
    if (uri.getScheme() != "https" && uri.getScheme() != "http")
        throw std::invalid_argument("unsupported URL scheme '" + uri.getScheme() + "'");
    const bool tls = uri.getScheme() == "https";
    const std::string server = uri.getHost() + ":" + std::to_string(uri.getPort());
    const std::string poolKey = uri.getScheme() + "://" + server + "|" + _caFile;
    const Poco::Net::Context::Ptr tlsContext = tls ? context() : nullptr;

    const auto deadline = DeadlineWatchdog::Clock::now() + std::chrono::seconds(_timeouts.total);
    DeadlineWatchdog::Watch watch(DeadlineWatchdog::instance(), deadline);
    Phase phase = Phase::Connecting;
    // The limit of one step: its own, or what is left of the total when
    // that is less — then the step's time-out is the deadline's.
    bool stepEndsAtDeadline = false;
    auto step = [&](std::int64_t seconds) {
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - DeadlineWatchdog::Clock::now());
        const Poco::Timespan own(seconds, 0);
        stepEndsAtDeadline = left.count() <= own.totalMicroseconds();
        // POCO takes a zero time-out as "none"; a step past the deadline
        // gets a moment and fails on the watchdog's shutdown.
        return stepEndsAtDeadline ? Poco::Timespan(std::max<Poco::Int64>(left.count(), 1000)) : own;
    };
    auto ended = [&](Verdict verdict) {
        if (verdict == Verdict::Cancelled)
            return TransportError("request cancelled because the broker is stopping (" + describe(phase, server) + ")");
        return TransportError("request timed out after " + std::to_string(_timeouts.total) + "s (" +
                              describe(phase, server) + ")");
    };
    auto setStepTimeouts = [&](Poco::Net::HTTPClientSession& session, std::int64_t seconds) {
        const Poco::Timespan timeout = step(seconds);
        session.socket().setReceiveTimeout(timeout);
        session.socket().setSendTimeout(timeout);
    };

    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    try
    {
        session = SessionPool::instance().take(poolKey);
        if (!session)
        {
            session = connect(uri, tlsContext, step(_timeouts.connect));
            watch.attach(session->socket().impl()->sockfd());
            if (tls)
            {
                phase = Phase::Handshake;
                setStepTimeouts(*session, _timeouts.connect);
                shakeHands(*session);
            }
        }
        else
        {
            watch.attach(session->socket().impl()->sockfd());
        }
        session->setKeepAlive(true);

        phase = Phase::Sending;
        setStepTimeouts(*session, _timeouts.read);
        std::string target = uri.getPathAndQuery();
        if (target.empty())
            target = "/";
        Poco::Net::HTTPRequest httpRequest(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : request.headers)
            httpRequest.set(name, value);
        if (!request.body.empty() || request.method == "POST" || request.method == "PUT")
            httpRequest.setContentLength(static_cast<std::streamsize>(request.body.size()));
        std::ostream& out = session->sendRequest(httpRequest);
        out << request.body;
        // The stream swallows the session's exception; the session keeps it.
        if (!out.flush())
        {
            if (session->networkException())
                session->networkException()->rethrow();
            throw Poco::IOException("cannot send the request");
        }

        phase = Phase::Waiting;
        setStepTimeouts(*session, _timeouts.read);
        Poco::Net::HTTPResponse httpResponse;
        std::istream& in = session->receiveResponse(httpResponse);
        // POCO's header parser takes the end of the stream after a shutdown
        // for the end of the headers.
        if (const Verdict verdict = watch.verdict(); verdict != Verdict::Running)
            throw ended(verdict);
        HttpResponse response;
        response.status = static_cast<int>(httpResponse.getStatus());
        for (const auto& [name, value] : httpResponse)
            response.headers[lower(name)] = value;

        phase = Phase::Reading;
        char buffer[8192];
        while (in)
        {
            setStepTimeouts(*session, _timeouts.read);
            in.read(buffer, sizeof buffer);
            response.body.append(buffer, static_cast<std::size_t>(in.gcount()));
            if (response.body.size() > maxBodySize)
                throw TransportError("answer is larger than " + std::to_string(maxBodySize) + " bytes");
        }
        if (in.bad())
        {
            if (session->networkException())
                session->networkException()->rethrow();
            throw Poco::IOException("cannot read the answer");
        }
        // A shutdown by the watchdog reads as the end of the answer.
        if (const Verdict verdict = watch.release(); verdict != Verdict::Running)
            throw ended(verdict);
        if (httpResponse.hasContentLength() &&
            static_cast<Poco::Int64>(response.body.size()) < httpResponse.getContentLength64())
            throw TransportError(server + ": the answer ended after " + std::to_string(response.body.size()) + " of " +
                                 std::to_string(httpResponse.getContentLength64()) + " bytes");
        // Released as Running: nothing will shut this connection down now.
        if (httpResponse.getKeepAlive())
            SessionPool::instance().give(poolKey, std::move(session));
        return response;
    }
    catch (const TransportError&)
    {
        watch.abandon();
        throw;
    }
    catch (const Poco::TimeoutException&)
    {
        Verdict verdict = watch.abandon();
        if (verdict == Verdict::Running && stepEndsAtDeadline)
            verdict = Verdict::TimedOut;
        if (verdict != Verdict::Running)
            throw ended(verdict);
        const bool connecting = phase == Phase::Connecting || phase == Phase::Handshake;
        throw TransportError("timed out after " + std::to_string(connecting ? _timeouts.connect : _timeouts.read) +
                             "s (" + (connecting ? "connect_timeout, " : "read_timeout, ") +
                             describe(phase, server) + ")");
    }
    catch (const Poco::Exception& e)
    {
        if (const Verdict verdict = watch.abandon(); verdict != Verdict::Running)
            throw ended(verdict);
        throw TransportError(server + ": " + e.displayText());
    }
    catch (const std::exception& e)
    {
        if (const Verdict verdict = watch.abandon(); verdict != Verdict::Running)
            throw ended(verdict);
        throw TransportError(server + ": " + e.what());
    }
}

} // namespace TokenBroker
