/**
 * Resolves on the first SIGINT or SIGTERM, for the long-running commands (coordinator, site).
 * The listeners are removed then, so a second Ctrl-C during a slow shutdown kills at once.
 * Kept apart from the command modules so the site agent does not load the coordinator's
 * dependencies (Nest, SQLite) just to wait for a signal.
 */
export function untilSignal(abort?: AbortSignal): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const off = () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    };
    const on = (signal: NodeJS.Signals) => {
      off();
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
    // The command ended another way (the site agent stopped): stop listening; this never resolves.
    abort?.addEventListener('abort', off, { once: true });
  });
}
