#pragma once

#include "AtomicFile.h"
#include "Output.h"

namespace TokenBroker {

/// A token file in raw, json or env format, replaced atomically with the
/// requested mode, owner and group (default 0600).
class FileOutput : public Output
{
public:
    explicit FileOutput(const OutputSpec& spec);

    void publish(const Token& token, const std::string& profile) override;
    void withdraw() override;
    std::string describe() const override;
    std::string target() const override { return _path; }

private:
    std::string _path;
    std::string _format;
    std::string _variable;
    FileAttributes _attributes;
};

} // namespace TokenBroker
