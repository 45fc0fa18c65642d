#pragma once

#include <Poco/Net/Context.h>

namespace TokenBroker {

/// Makes `context` trust the certificate authorities the operating system
/// trusts: the default trust of a client without a `ca_file`. On POSIX these
/// are OpenSSL's default paths (the distribution's CA bundle). On Windows,
/// whose certificate store OpenSSL does not read, they are the certificates
/// of the system ROOT store, copied into the context's OpenSSL store.
/// Throws Poco::Net::SSLContextException when they cannot be loaded.
void trustSystemAuthorities(Poco::Net::Context& context);

} // namespace TokenBroker
