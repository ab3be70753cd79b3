/**
 * Preloaded (`node --import`) into the processes the local stack starts, which it gives a stdin
 * pipe and never writes to: when the stack's process goes, however it ends (even killed), that
 * pipe closes, and this process goes too. No orphan keeps a port, a file or an invocation.
 */
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
// The watch alone keeps nothing running.
(process.stdin as { unref?: () => void }).unref?.();
