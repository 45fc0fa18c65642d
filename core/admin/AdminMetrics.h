#pragma once

#include "DaemonView.h"
#include "ProcessStats.h"
#include "ProfileView.h"

#include <string>
#include <vector>

namespace TokenBroker {

/// The state a profile is shown in: its status, or `refreshing` while a
/// renewal runs after the first token. One of starting, ready, refreshing,
/// retrying, expired, needs_login, failed.
std::string profileState(const ProfileView& view);

/// Every state profileState() can name, in that order.
const std::vector<std::string>& profileStates();

/// GET /metrics: Prometheus text exposition format 0.0.4 (build and process
/// facts, reloads, and per profile readiness, state, expiry, renewals and
/// their durations, last success, on_rotate runs). `nowSeconds` judges
/// readiness.
std::string metricsText(const std::vector<ProfileView>& views, const DaemonView& daemon, const ProcessStats& process,
                        std::int64_t nowSeconds);

} // namespace TokenBroker
