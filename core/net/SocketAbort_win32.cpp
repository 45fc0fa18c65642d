#include "SocketAbort.h"

#include <stdexcept>
#include <string>

#include <winsock2.h>
#include <windows.h>

#ifndef WSA_FLAG_NO_HANDLE_INHERIT
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#endif

namespace TokenBroker {

namespace {

SOCKET duplicate(SOCKET socket)
{
    // WSADuplicateSocket is the supported way to get a second descriptor of
    // the same socket; DuplicateHandle is not safe with layered providers.
    WSAPROTOCOL_INFOW info{};
    if (::WSADuplicateSocketW(socket, ::GetCurrentProcessId(), &info) != 0)
        throw std::runtime_error("cannot duplicate the connection's socket: Winsock error " +
                                 std::to_string(::WSAGetLastError()));
    // Not inheritable: a rotation hook started meanwhile must not get it.
    SOCKET copy = ::WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
                               WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (copy == INVALID_SOCKET)
        throw std::runtime_error("cannot duplicate the connection's socket: Winsock error " +
                                 std::to_string(::WSAGetLastError()));
    return copy;
}

} // namespace

SocketAbort::SocketAbort(poco_socket_t socket)
    : _duplicate(duplicate(socket))
{
}

SocketAbort::~SocketAbort()
{
    ::closesocket(_duplicate);
}

void SocketAbort::shutdown() noexcept
{
    // A shutdown makes every later receive and send fail at once, but it
    // does not wake one that is already waiting (seen under wine; Windows
    // documents no such wake-up either). Cancelling the socket's pending
    // I/O does: the duplicate is the same file object, so CancelIoEx on it
    // reaches a receive made through POCO's handle, which then fails with
    // WSA_OPERATION_ABORTED. Shutdown first, so that a receive starting
    // between the two calls fails rather than waits.
    // WSAENOTCONN when the peer is gone already: nothing left to end.
    ::shutdown(_duplicate, SD_BOTH);
    // ERROR_NOT_FOUND when nothing is pending: the shutdown has done it.
    ::CancelIoEx(reinterpret_cast<HANDLE>(_duplicate), nullptr);
}

} // namespace TokenBroker
