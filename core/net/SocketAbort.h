#pragma once

#include <Poco/Net/Net.h>
#include <Poco/Net/SocketDefs.h>

namespace TokenBroker {

/// A second handle on a connected socket, through which another thread can
/// end the connection at any moment: shutting it down (both directions;
/// on Windows also cancelling the socket's pending I/O, which a shutdown
/// alone does not wake) makes every blocked or later receive, send and TLS
/// handshake on the socket return at once, whichever handle they use.
///
/// Why a duplicate and not the socket's own handle: POCO closes its handle
/// on its own errors, and the operating system may hand the same number to
/// another connection straight away; a shutdown through the stale number
/// would then cut an unrelated request. The duplicate keeps the socket
/// itself alive until this object is destroyed, so it can only ever reach
/// the connection it was made for.
class SocketAbort
{
public:
    /// Duplicates `socket`; throws std::runtime_error when the system refuses
    /// (e.g. out of descriptors).
    explicit SocketAbort(poco_socket_t socket);
    /// Closes the duplicate; the connection lives on in its original handle.
    ~SocketAbort();
    SocketAbort(const SocketAbort&) = delete;
    SocketAbort& operator=(const SocketAbort&) = delete;

    /// Shuts the connection down in both directions; never throws, and a
    /// second call does nothing harmful.
    void shutdown() noexcept;

private:
    poco_socket_t _duplicate;
};

} // namespace TokenBroker
