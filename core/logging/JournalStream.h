#pragma once

namespace TokenBroker {

/// True when standard error is connected to journald: systemd then sets
/// JOURNAL_STREAM to that stream's "device:inode" (systemd.exec(5)), and
/// lines are written in journald's form. Always false on Windows.
bool stderrIsJournal();

} // namespace TokenBroker
