import { CONFIG_VARIABLES, loadCoordinatorConfig, startCoordinator } from '@fedsynth/coordinator';
import { FedsynthError } from '@fedsynth/gan';
import type { Command } from '../command';
import { asUserError, coordinatorEnvironment } from './coordinator-env';
import { untilSignal } from './signals';

const VARIABLES = Object.entries(CONFIG_VARIABLES)
  .map(([name, fallback]) => `  ${name.padEnd(28)} ${fallback}`)
  .join('\n');

const HELP = `Usage: fedsynth coordinator [--port P] [--data-dir DIR]

Starts the federation coordinator: the Socket.IO endpoint the sites connect to (URL/sites)
and the admin REST API (URL/api, bearer FEDSYNTH_ADMIN_TOKEN). Prints its URL, then runs
until Ctrl-C (SIGINT) or SIGTERM, when it closes cleanly: connections are closed and the
database is flushed. Runs that were training resume when it starts again.

Options:
  --port P                   port to listen on (overrides FEDSYNTH_PORT; 0 = any free port)
  --data-dir DIR             database, checkpoints and exports (overrides FEDSYNTH_DATA_DIR)

Subcommands:
  fedsynth coordinator add-site NAME            register a hospital site and print its token
  fedsynth coordinator add-site SITE --rotate   issue a registered (or revoked) site a new token
  fedsynth coordinator revoke-site SITE         revoke a site's token; the coordinator refuses it

Environment (default):
${VARIABLES}
  A bad configuration is refused with every bad variable listed. With FEDSYNTH_TLS_CERT and
  FEDSYNTH_TLS_KEY (PEM files) it serves https, and wss to the sites; sites trusting a
  self-signed certificate pass it with --ca.

Examples:
  export FEDSYNTH_ADMIN_TOKEN=$(openssl rand -base64 32)
  fedsynth coordinator --port 8080 --data-dir /var/lib/fedsynth
  FEDSYNTH_MIN_SITES=3 FEDSYNTH_LOG_LEVEL=warn fedsynth coordinator
  FEDSYNTH_TLS_CERT=/etc/fedsynth/cert.pem FEDSYNTH_TLS_KEY=/etc/fedsynth/key.pem fedsynth coordinator
`;

export const coordinatorCommand: Command = {
  path: ['coordinator'],
  summary: 'Run the federation coordinator (Socket.IO for sites, admin REST API)',
  help: HELP,
  options: { port: { type: 'string' }, 'data-dir': { type: 'string' } },
  async run(values, positionals, io) {
    if (positionals.length > 0) {
      throw new FedsynthError(`unknown subcommand '${positionals[0]}'; did you mean 'fedsynth coordinator add-site NAME'?`, 'CLI_BAD_ARGUMENT');
    }
    let config;
    try {
      config = loadCoordinatorConfig(coordinatorEnvironment(values));
    } catch (error) {
      throw asUserError(error);
    }
    let coordinator;
    try {
      coordinator = await startCoordinator(config);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        throw new FedsynthError(`cannot listen on ${config.host}:${config.port} (${code}); choose another --port`, 'CLI_LISTEN_FAILED');
      }
      throw asUserError(error);
    }
    io.out(`fedsynth coordinator listening at ${coordinator.url}\n`);
    io.out(`  sites connect to  ${coordinator.url}  (namespace /sites)\n  admin API         ${coordinator.url}/api  (Authorization: Bearer $FEDSYNTH_ADMIN_TOKEN)\n  data              ${config.dataDir}\n`);
    io.err('Press Ctrl-C to stop.\n');
    const signal = await untilSignal();
    io.err(`${signal} received; closing the coordinator...\n`);
    await coordinator.close();
    io.err('Coordinator stopped.\n');
    return 0;
  },
};
