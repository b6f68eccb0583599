import { addSite } from '@fedsynth/coordinator';
import { FedsynthError } from '@fedsynth/gan';
import path from 'node:path';
import type { Command } from '../command';
import { asUserError, coordinatorEnvironment } from './coordinator-env';
import { stringOption } from './data-options';

const HELP = `Usage: fedsynth coordinator add-site NAME [--id ID] [--data-dir DIR]

Registers a hospital site in the coordinator's database and prints its id and access token.
The token is shown ONCE: only a salted hash of it is stored, so it cannot be shown again.
Give it to the site over a secure channel; the site passes it to 'fedsynth site --token'.
Run this on the coordinator's machine, against the same data folder (the coordinator may be
running).

Options:
  --id ID                    site id (default: NAME in lower case, spaces as '-'): 1–64
                             letters, digits, '.', '_' or '-', starting with a letter or digit
  --data-dir DIR             the coordinator's data folder (default: FEDSYNTH_DATA_DIR, else ./fedsynth-data)

Examples:
  fedsynth coordinator add-site "Hospital A"
  fedsynth coordinator add-site "St. Mary's Hospital" --id st-marys --data-dir /var/lib/fedsynth
`;

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
  summary: 'Register a hospital site and print its token (shown once)',
  help: HELP,
  options: { id: { type: 'string' }, 'data-dir': { type: 'string' } },
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
    // Only the data folder matters here: the admin token and port are the running server's business.
    const env = coordinatorEnvironment(values);
    const dataDir = env.FEDSYNTH_DATA_DIR?.trim() || './fedsynth-data';
    const id = stringOption(values, 'id') ?? siteIdFromName(name);
    let result;
    try {
      result = addSite({ databasePath: path.join(dataDir, 'coordinator.sqlite') }, id === undefined ? { name } : { name, id });
    } catch (error) {
      throw asUserError(error);
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
