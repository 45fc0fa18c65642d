#include "TempDir.h"
#include "TestPlatform.h"

#include <Poco/File.h>
#include <Poco/Path.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#ifndef _WIN32
#include <sys/stat.h>
#endif

namespace TokenBroker::Test {

TempDir::TempDir()
{
    // createDirectory() is false when the name exists, so a race with another
    // process just means another name (what mkdtemp does, portably).
    std::random_device random;
    for (int attempt = 0; attempt < 100; ++attempt)
    {
        std::ostringstream name;
        name << Poco::Path::temp() << "tokenbroker-test-" << std::hex << random() << random();
        if (Poco::File(name.str()).createDirectory())
        {
            _path = nativePath(name.str());
#ifndef _WIN32
            ::chmod(_path.c_str(), 0700);
#endif
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory under " + Poco::Path::temp());
}

TempDir::~TempDir()
{
    try
    {
        Poco::File(_path).remove(true);
    }
    catch (...)
    {
    }
}

std::string TempDir::file(const std::string& name) const
{
    return nativePath(_path + "/" + name);
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void writeFile(const std::string& path, const std::string& content, unsigned mode)
{
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("cannot write " + path);
        out << content;
    }
#ifdef _WIN32
    (void)mode;  // Windows files take their ACL from the directory
#else
    ::chmod(path.c_str(), mode);
#endif
}

} // namespace TokenBroker::Test
