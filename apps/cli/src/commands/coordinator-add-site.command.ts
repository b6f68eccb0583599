import { addSite, openExistingStore, reissueSiteToken } from '@fedsynth/coordinator';
import { FedsynthError } from '@fedsynth/gan';
import type { Command, OptionValues } from '../command';
import { asUserError, coordinatorDatabasePath } from './coordinator-env';
import { stringOption } from './data-options';

const HELP = `Usage: fedsynth coordinator add-site NAME [--id ID] [--data-dir DIR]
       fedsynth coordinator add-site SITE --rotate [--data-dir DIR]

Registers a hospital site in the coordinator's database and prints its id and access token.
The token is shown ONCE: only a salted hash of it is stored, so it cannot be shown again.
Give it to the site over a secure channel; the site passes it to 'fedsynth site --token'.
Run this on the coordinator's machine, against the same data folder (the coordinator may be
running).

With --rotate it re-provisions a site already registered (SITE is its id or name): a new
token replaces the old one, which is refused from then on, and a revocation by
'fedsynth coordinator revoke-site' is lifted. The site keeps its id, so the rounds it took
part in stay attributed to it. Use it when a token is lost or leaked, or to let a revoked
site back in. Both are written to the audit log. A site already connected keeps its
connection until it reconnects; then it needs the new token.

Options:
  --id ID                    site id (default: NAME in lower case, spaces as '-'): 1–64
                             letters, digits, '.', '_' or '-', starting with a letter or digit
  --rotate                   issue a new token for a registered site instead of registering one
  --data-dir DIR             the coordinator's data folder (default: FEDSYNTH_DATA_DIR, else ./fedsynth-data)

Examples:
  fedsynth coordinator add-site "Hospital A"
  fedsynth coordinator add-site "St. Mary's Hospital" --id st-marys --data-dir /var/lib/fedsynth
  fedsynth coordinator add-site st-marys --rotate --data-dir /var/lib/fedsynth
`;

/** --rotate: a new token for a registered site (by id or name), lifting a revocation. */
function rotate(values: OptionValues, ref: string): string {
  if (values.id !== undefined) {
    throw new FedsynthError('--id cannot be used with --rotate: the site keeps its id; name it by id or name as SITE', 'CLI_BAD_OPTION');
  }
  let store;
  let result;
  try {
    store = openExistingStore(coordinatorDatabasePath(values));
    result = reissueSiteToken(store, ref, 'cli');
  } catch (error) {
    const user = asUserError(error);
    if (user instanceof FedsynthError && user.code === 'SITE_NOT_FOUND') {
      throw new FedsynthError(`${user.message}; drop --rotate to register a new site`, user.code);
    }
    throw user;
  } finally {
    store?.close();
  }
  const { site, token, wasRevoked } = result;
  return [
    `Issued a new token for site '${site.name}'${wasRevoked ? ' and lifted its revocation' : ''}; the old token no longer works`,
    `  site id  ${site.id}`,
    `  token    ${token}`,
    '',
    'This token is shown only once: the coordinator stores only its hash. Give it to the site over a',
    'secure channel. The site connects with:',
    `  fedsynth site --coordinator URL --site ${site.id} --token <token> --input ...`,
    '',
  ].join('\n');
}

/** "Hospital A" → "hospital-a": a readable default id that the site then passes as --site. */
export function siteIdFromName(name: string): string | undefined {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 64);
  return slug === '' ? undefined : slug;
}

export const coordinatorAddSiteCommand: Command = {
  path: ['coordinator', 'add-site'],
  summary: 'Register a hospital site, or --rotate its token; prints the token (shown once)',
  help: HELP,
  options: { id: { type: 'string' }, rotate: { type: 'boolean' }, 'data-dir': { type: 'string' } },
  async run(values, positionals, io) {
    if (positionals.length !== 1) {
      throw new FedsynthError(
        positionals.length === 0
          ? 'a site NAME is required: fedsynth coordinator add-site "Hospital A"'
          : `expected one NAME, got ${positionals.length} words; quote a name with spaces: "${positionals.join(' ')}"`,
        'CLI_BAD_ARGUMENT',
      );
    }
    const name = positionals[0];
    if (values.rotate === true) {
      io.out(rotate(values, name));
      return 0;
    }
    const id = stringOption(values, 'id') ?? siteIdFromName(name);
    let result;
    try {
      result = addSite({ databasePath: coordinatorDatabasePath(values) }, id === undefined ? { name } : { name, id });
    } catch (error) {
      const user = asUserError(error);
      if (user instanceof FedsynthError && user.code === 'SITE_EXISTS') {
        throw new FedsynthError(`${user.message}; to issue it a new token: fedsynth coordinator add-site ${JSON.stringify(name)} --rotate`, user.code);
      }
      throw user;
    }
    io.out(
      [
        `Registered site '${name}'`,
        `  site id  ${result.siteId}`,
        `  token    ${result.token}`,
        '',
        'This token is shown only once: the coordinator stores only its hash. Copy it now and give it',
        'to the site over a secure channel. The site connects with:',
        `  fedsynth site --coordinator URL --site ${result.siteId} --token <token> --input ...`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
