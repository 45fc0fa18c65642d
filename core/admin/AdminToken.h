#pragma once

#include <stdexcept>
#include <string>

namespace TokenBroker {

/// This user cannot read the daemon's admin token; the message says which
/// file and whom to run as.
class AdminTokenUnreadable : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// The secret that admits mutating admin requests (reload, refresh, login):
/// `state_dir/admin.token`, mode 0600, owned by the daemon's user, made anew
/// each time the daemon starts. Whoever can read it may steer the daemon;
/// everyone else on the machine gets the read-only GETs.
class AdminToken
{
public:
    /// Where the token lives under `stateDir`.
    static std::string path(const std::string& stateDir);

    /// A fresh random token written to path(stateDir) (the daemon, at start).
    static AdminToken create(const std::string& stateDir);

    /// The token the running daemon wrote; throws AdminTokenUnreadable.
    static AdminToken read(const std::string& stateDir);

    /// A token with this value (tests, fuzzing); the daemon uses create().
    explicit AdminToken(std::string value);

    /// "Bearer <token>", as the Authorization header carries it.
    std::string authorization() const { return "Bearer " + _value; }

    /// Whether an Authorization header carries this token (compared in
    /// constant time, so its timing tells nothing about the token).
    bool admits(const std::string& authorizationHeader) const;

private:
    std::string _value;
};

} // namespace TokenBroker
