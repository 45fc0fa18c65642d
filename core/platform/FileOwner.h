#pragma once

#include <optional>
#include <string>

namespace TokenBroker {

/// When `path` exists and belongs to another user than the one this process
/// runs as, says whose it is ("owned by user 'tokenbroker' (uid 998), not
/// by uid 0"); nothing otherwise. Commands that write a daemon's state use
/// it to refuse rather than leave files the daemon cannot read. (POSIX; on
/// Windows the state directory's ACL decides, and nothing is reported.)
std::optional<std::string> foreignOwner(const std::string& path);

} // namespace TokenBroker
