import { openExistingStore, revokeSite, type SiteRecord } from '@fedsynth/coordinator';
import { FedsynthError } from '@fedsynth/gan';
import type { Command, OptionValues } from '../command';
import { ADMIN_HELP, AdminClient } from './admin-api';
import { asUserError, coordinatorDatabasePath } from './coordinator-env';
import { stringOption } from './data-options';

const HELP = `Usage: fedsynth coordinator revoke-site SITE [--data-dir DIR]
       fedsynth coordinator revoke-site SITE --coordinator URL

Revokes a hospital site: its token is refused from then on, and the revocation is written to
the audit log. SITE is the site's id or its name. Revoking a revoked site changes nothing.

Two ways, same result in the database:
  --data-dir DIR             write the coordinator's database directly (run this on the
                             coordinator's machine; the coordinator may be running). A running
                             coordinator refuses the site at its next connection, and closes an
                             open connection at the site's next message.
  --coordinator URL          ask the running coordinator (POST /api/sites/SITE/revoke), which
                             also closes the site's open connection at once. Needs the admin token.

Options:
  --data-dir DIR             the coordinator's data folder (default: FEDSYNTH_DATA_DIR, else ./fedsynth-data)
  --coordinator URL          coordinator base URL, e.g. http://localhost:8080

${ADMIN_HELP}
  It is needed only with --coordinator.

To let the site back in, issue it a new token: fedsynth coordinator add-site SITE --rotate

Examples:
  fedsynth coordinator revoke-site hospital-a --data-dir /var/lib/fedsynth
  fedsynth coordinator revoke-site "Hospital A" --coordinator http://localhost:8080
`;

/** The one SITE argument (id or name), with a usage hint when absent or split by the shell. */
export function siteArgument(positionals: string[], usage: string): string {
  if (positionals.length === 1 && positionals[0].trim() !== '') return positionals[0];
  throw new FedsynthError(
    positionals.length > 1
      ? `expected one SITE, got ${positionals.length} words; quote a name with spaces: "${positionals.join(' ')}"`
      : `a SITE (its id or name) is required: ${usage}`,
    'CLI_BAD_ARGUMENT',
  );
}

type RevokedSite = Pick<SiteRecord, 'id' | 'name' | 'revokedAt'> & { alreadyRevoked: boolean; disconnected?: number };

function viaDatabase(values: OptionValues, ref: string): RevokedSite {
  let store;
  try {
    store = openExistingStore(coordinatorDatabasePath(values));
    const { site, alreadyRevoked } = revokeSite(store, ref, 'cli');
    return { ...site, alreadyRevoked };
  } catch (error) {
    throw asUserError(error);
  } finally {
    store?.close();
  }
}

function report(site: RevokedSite, viaApi: boolean): string {
  const since = new Date(site.revokedAt ?? Date.now()).toISOString();
  const lines = site.alreadyRevoked
    ? [`Site '${site.name}' (id ${site.id}) was already revoked, since ${since}; nothing changed.`]
    : [`Revoked site '${site.name}' (id ${site.id}) at ${since}.`];
  if (viaApi) {
    if ((site.disconnected ?? 0) > 0) lines.push(`  closed its open connection (${site.disconnected}).`);
  } else if (!site.alreadyRevoked) {
    lines.push('  A running coordinator refuses its next connection, and closes an open one at its next message.');
  }
  lines.push(`  To let it back in with a new token: fedsynth coordinator add-site ${JSON.stringify(site.id)} --rotate`, '');
  return lines.join('\n');
}

export const coordinatorRevokeSiteCommand: Command = {
  path: ['coordinator', 'revoke-site'],
  summary: "Revoke a site's token (audited); a running coordinator refuses it",
  help: HELP,
  options: { 'data-dir': { type: 'string' }, coordinator: { type: 'string' }, ca: { type: 'string' } },
  async run(values, positionals, io) {
    const ref = siteArgument(positionals, 'fedsynth coordinator revoke-site hospital-a');
    if (values.coordinator !== undefined && values['data-dir'] !== undefined) {
      throw new FedsynthError('give either --coordinator URL (through the API) or --data-dir DIR (the database), not both', 'CLI_BAD_OPTION');
    }
    if (stringOption(values, 'coordinator') !== undefined) {
      const client = AdminClient.from(values);
      const site = await client.json<RevokedSite>('POST', `/api/sites/${encodeURIComponent(ref)}/revoke`);
      io.out(report(site, true));
      return 0;
    }
    io.out(report(viaDatabase(values, ref), false));
    return 0;
  },
};
