#pragma once

#include <string>

namespace TokenBroker {

/// Opens `url` in the user's browser when there is a desktop to show it on
/// (xdg-open with DISPLAY/WAYLAND_DISPLAY; the shell on Windows). Returns
/// false when it did not try or the launcher failed; never blocks.
bool openBrowser(const std::string& url);

} // namespace TokenBroker
