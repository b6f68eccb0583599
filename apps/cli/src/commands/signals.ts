/**
 * Resolves on the first SIGINT or SIGTERM, for the long-running commands (coordinator, site).
 * The listeners are removed then, so a second Ctrl-C during a slow shutdown kills at once.
 * Kept apart from the command modules so the site agent does not load the coordinator's
 * dependencies (Nest, SQLite) just to wait for a signal.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
