#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace TokenBroker {

/// A place in a configuration file; line and column are 1-based.
struct SourceLocation
{
    std::string file;
    int line = 0;
    int column = 0;

    /// "FILE:LINE:COL" (or just FILE when the position is unknown).
    std::string str() const;
};

/// One configuration problem, printed as "FILE:LINE:COL: error: message".
class ConfigError : public std::runtime_error
{
public:
    ConfigError(SourceLocation location, const std::string& message);

    const SourceLocation& location() const { return _location; }
    const std::string& message() const { return _message; }

private:
    SourceLocation _location;
    std::string _message;
};

/// Every problem found in one pass over a configuration, so `check` can list
/// them all instead of stopping at the first.
class ConfigErrors : public std::runtime_error
{
public:
    explicit ConfigErrors(std::vector<ConfigError> errors);

    const std::vector<ConfigError>& errors() const { return _errors; }

private:
    std::vector<ConfigError> _errors;
};

/// Collects ConfigErrors while a configuration is walked.
class Diagnostics
{
public:
    void error(const SourceLocation& location, const std::string& message);
    void add(const ConfigError& error);
    bool empty() const { return _errors.empty(); }
    std::size_t size() const { return _errors.size(); }
    const std::vector<ConfigError>& errors() const { return _errors; }
    /// Throws ConfigErrors when anything was collected.
    void throwIfAny() const;

private:
    std::vector<ConfigError> _errors;
};

} // namespace TokenBroker
