#include "Pem.h"

#include <memory>
#include <stdexcept>

namespace TokenBroker::Emulator {

std::string writePem(const std::function<int(BIO*)>& write, const std::string& what)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || write(bio.get()) != 1)
        throw std::runtime_error("cannot encode " + what);
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

} // namespace TokenBroker::Emulator
