#include "SocketAbort.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace TokenBroker {

SocketAbort::SocketAbort(poco_socket_t socket)
    // Close-on-exec: a rotation hook started meanwhile must not inherit it.
    : _duplicate(::fcntl(socket, F_DUPFD_CLOEXEC, 0))
{
    if (_duplicate < 0)
        throw std::runtime_error(std::string("cannot duplicate the connection's socket: ") + std::strerror(errno));
}

SocketAbort::~SocketAbort()
{
    ::close(_duplicate);
}

void SocketAbort::shutdown() noexcept
{
    // ENOTCONN when the peer is gone already: nothing left to end.
    ::shutdown(_duplicate, SHUT_RDWR);
}

} // namespace TokenBroker
