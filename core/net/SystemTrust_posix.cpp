#include "SystemTrust.h"

#include <Poco/Net/SSLException.h>
#include <Poco/Net/Utility.h>

#include <openssl/ssl.h>

namespace TokenBroker {

void trustSystemAuthorities(Poco::Net::Context& context)
{
    if (SSL_CTX_set_default_verify_paths(context.sslContext()) != 1)
        throw Poco::Net::SSLContextException("cannot load the system's default CA certificates",
                                             Poco::Net::Utility::getLastError());
}

} // namespace TokenBroker
