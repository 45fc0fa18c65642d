#include "SecretReference.h"

#include "ConfigLoader.h"
#include "FileSystem.h"

#include <Poco/Environment.h>

namespace TokenBroker {

namespace {

/// A file a value may be read from is at most this large.
constexpr std::size_t kMaxReferencedFile = 64 * 1024;

std::optional<std::string> readReferencedFile(const std::string& path, const ConfigNode& node, const std::string& what,
                                              bool secret, YamlReader& reader)
{
    std::string text;
    try
    {
        text = readSettingFile(path, kMaxReferencedFile, secret);
    }
    catch (const FileMissing&)
    {
        reader.error(node, "cannot read " + what + " from file " + path + ": No such file or directory");
        return std::nullopt;
    }
    catch (const FileTooLarge&)
    {
        reader.error(node, "file " + path + " for " + what + " is larger than " + std::to_string(kMaxReferencedFile / 1024) +
                               " KiB; is it the right file?");
        return std::nullopt;
    }
    catch (const FileExposed& e)
    {
        reader.error(node, "refusing " + what + " from " + (secret ? "a file others may read: " : "that file: ") + e.what());
        return std::nullopt;
    }
    catch (const std::exception& e)
    {
        // "cannot read PATH: REASON" from the platform: the path once.
        std::string reason = e.what();
        const std::string prefix = "cannot read " + path + ": ";
        if (reason.rfind(prefix, 0) == 0)
            reason.erase(0, prefix.size());
        reader.error(node, "cannot read " + what + " from file " + path + ": " + reason);
        return std::nullopt;
    }
    if (!text.empty() && text.back() == '\n')
        text.pop_back();
    if (!text.empty() && text.back() == '\r')
        text.pop_back();
    if (text.empty())
    {
        reader.error(node, "file " + path + " for " + what + " is empty");
        return std::nullopt;
    }
    return text;
}

} // namespace

const std::string* ReferencedFiles::find(const std::string& path, bool secret) const
{
    auto it = _texts.find({path, secret});
    return it == _texts.end() ? nullptr : &it->second;
}

void ReferencedFiles::keep(const std::string& path, bool secret, const std::string& text)
{
    _texts.emplace(std::make_pair(path, secret), text);
}

std::optional<std::string> resolveReference(const ConfigNode& value, const std::string& what,
                                            const std::string& baseDirectory, bool secret, YamlReader& reader,
                                            ReferencedFiles* files)
{
    if (value.isScalar())
        return value.scalar();
    if (!value.isMap() || value.size() != 1)
    {
        reader.error(value, what + " must be a string, {file: PATH} or {env: NAME}");
        return std::nullopt;
    }
    const auto entry = value.begin();
    const std::string kind = entry->first.isScalar() ? entry->first.scalar() : std::string();
    auto target = reader.string(entry->second, what + " " + kind);
    if (!target)
        return std::nullopt;
    if (kind == "file")
    {
        const std::string path = ConfigLoader::resolvePath(*target, baseDirectory);
        if (files)
        {
            if (const std::string* text = files->find(path, secret))
                return *text;
        }
        auto text = readReferencedFile(path, entry->second, what, secret, reader);
        if (text && files)
            files->keep(path, secret, *text);
        return text;
    }
    if (kind == "env")
    {
        if (!Poco::Environment::has(*target) || Poco::Environment::get(*target).empty())
        {
            reader.error(entry->second, "environment variable " + *target + " (for " + what + ") is not set");
            return std::nullopt;
        }
        return Poco::Environment::get(*target);
    }
    reader.error(entry->first, what + ": unknown reference '" + kind + "'; use {file: PATH} or {env: NAME}");
    return std::nullopt;
}

} // namespace TokenBroker
