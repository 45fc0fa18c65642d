#pragma once

#include <string>

namespace TokenBroker::Test {

/// A fresh directory under the system temp dir (mode 0700), removed with
/// everything in it when the object goes out of scope.
class TempDir
{
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return _path; }
    /// path() + "/" + name, in the platform's spelling (nativePath())
    std::string file(const std::string& name) const;

private:
    std::string _path;
};

/// Whole file as a string; throws std::runtime_error if it cannot be read.
std::string readFile(const std::string& path);
/// Writes (truncating) a file with the given mode.
void writeFile(const std::string& path, const std::string& content, unsigned mode = 0644);

} // namespace TokenBroker::Test
