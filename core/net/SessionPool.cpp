#include "SessionPool.h"

#include "HttpClient.h"
#include "SystemTrust.h"

namespace TokenBroker {

SessionPool& SessionPool::instance()
{
    // OpenSSL first: its exit handlers then run after the pool, whose
    // contexts and connections still need it, is destroyed.
    initializeTls();
    static SessionPool pool;
    return pool;
}

Poco::Net::Context::Ptr SessionPool::context(const std::string& caFile)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _contexts.find(caFile);
    if (it != _contexts.end())
        return it->second;
    // VERIFY_STRICT: POCO skips the host-name check for loopback peers under
    // VERIFY_RELAXED, which would let any certificate from the emulator's CA
    // pass for any name.
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.caLocation = caFile;
    params.loadDefaultCAs = false;
    params.verificationDepth = 9;
    params.cipherList = "HIGH:!aNULL:!MD5:!RC4";
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    if (caFile.empty())
        trustSystemAuthorities(*context);
    _contexts[caFile] = context;
    return context;
}

std::unique_ptr<Poco::Net::HTTPClientSession> SessionPool::take(const std::string& key)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _idle.find(key);
    if (it == _idle.end())
        return nullptr;
    const auto now = std::chrono::steady_clock::now();
    while (!it->second.empty())
    {
        Idle idle = std::move(it->second.back());
        it->second.pop_back();
        if (now - idle.since < maxIdle && idle.session->connected())
            return std::move(idle.session);
    }
    return nullptr;
}

void SessionPool::give(const std::string& key, std::unique_ptr<Poco::Net::HTTPClientSession> session)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto& idle = _idle[key];
    const auto now = std::chrono::steady_clock::now();
    while (!idle.empty() && (idle.size() >= maxIdlePerKey || now - idle.front().since >= maxIdle))
        idle.pop_front();
    idle.push_back(Idle{std::move(session), now});
}

} // namespace TokenBroker
