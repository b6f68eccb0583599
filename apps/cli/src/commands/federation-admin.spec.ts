import { join } from 'node:path';
import { openExistingStore } from '@fedsynth/coordinator';
import { cli, useTestCoordinator } from '../__fixtures__/cli-harness';
import { captureIo } from '../test-io';
import { runCli } from '../run-cli';
import { formatRunTable, type RunListItem } from './run-list.command';

// One real coordinator (ephemeral port, temporary data folder) driven through runCli: site
// revocation and re-provisioning, and `run list` / `run stop`. Training is never started.
const DEMO_DIR = join(__dirname, '../../../../data/mimic-iii-demo');
const coordinator = useTestCoordinator({ adminToken: 'cli-admin-commands-token-0123456789', prefix: 'fedsynth-cli-admin-' });

const tokenIn = (out: string) => /token {4}(\S+)/.exec(out)?.[1];

/** `fedsynth site` on the demo data; the command's console lines (backend) are silenced. */
async function joinSite(siteId: string, token: string) {
  const quiet = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return await cli('site', '--coordinator', coordinator.url, '--site', siteId, '--token', token, '--input', DEMO_DIR, '--rollup', '--min-code-count', '2');
  } finally {
    quiet.mockRestore();
  }
}

describe('coordinator revoke-site and add-site --rotate', () => {
  it('revokes a site in the database; the running coordinator refuses it; --rotate lets it back in with a new token', async () => {
    const added = await cli('coordinator', 'add-site', 'Hospital R', '--data-dir', coordinator.dataDir);
    expect(added.code).toBe(0);
    const token = tokenIn(added.out)!;

    const revoked = await cli('coordinator', 'revoke-site', 'Hospital R', '--data-dir', coordinator.dataDir);

    expect(revoked.err).toBe('');
    expect(revoked.code).toBe(0);
    expect(revoked.out).toMatch(/^Revoked site 'Hospital R' \(id hospital-r\) at \d{4}-\d\d-\d\dT[\d:.]+Z\.\n/);
    expect(revoked.out).toContain('To let it back in with a new token: fedsynth coordinator add-site "hospital-r" --rotate');
    const refused = await joinSite('hospital-r', token);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/cannot join .*UNAUTHORIZED: site hospital-r has been revoked; ask the coordinator's operator for a new token/);

    const again = await cli('coordinator', 'revoke-site', 'hospital-r', '--data-dir', coordinator.dataDir);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^Site 'Hospital R' \(id hospital-r\) was already revoked, since .*; nothing changed\.\n/);

    const rotated = await cli('coordinator', 'add-site', 'hospital-r', '--rotate', '--data-dir', coordinator.dataDir);
    expect(rotated.code).toBe(0);
    expect(rotated.out).toContain("Issued a new token for site 'Hospital R' and lifted its revocation; the old token no longer works\n  site id  hospital-r\n");
    const fresh = tokenIn(rotated.out)!;
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const store = openExistingStore(join(coordinator.dataDir, 'coordinator.sqlite'));
    try {
      expect(store.sites.authenticate('hospital-r', fresh)).toMatchObject({ ok: true });
      expect(store.sites.authenticate('hospital-r', token)).toEqual({ ok: false, reason: 'bad-token' });
      expect(store.audit.list({ subject: 'hospital-r' }).map((e) => [e.action, e.details])).toEqual([
        ['site.registered', null],
        ['site.revoked', { via: 'cli', alreadyRevoked: false }],
        ['site.revoked', { via: 'cli', alreadyRevoked: true }],
        ['site.token-reissued', { via: 'cli', wasRevoked: true }],
      ]);
      // The coordinator audited the refused handshake.
      expect(store.audit.list({ action: 'site.refused' })).toContainEqual(
        expect.objectContaining({ actor: 'site:hospital-r', details: expect.objectContaining({ code: 'UNAUTHORIZED', reason: expect.stringContaining('has been revoked') }) }),
      );
    } finally {
      store.close();
    }
  });

  it('revokes through the REST API with --coordinator: the site agent\'s connection closes and `fedsynth site` exits 2 with the reason', async () => {
    const token = tokenIn((await cli('coordinator', 'add-site', 'Hospital S', '--data-dir', coordinator.dataDir)).out)!;
    const quiet = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const before = new Set(process.listeners('SIGTERM'));
    try {
      const io = captureIo();
      const running = runCli(['site', '--coordinator', coordinator.url, '--site', 'hospital-s', '--token', token, '--input', DEMO_DIR, '--rollup', '--min-code-count', '2'], io);
      for (let i = 0; i < 400 && !io.stderr().includes('site agent running'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(io.stderr()).toContain('connected to the coordinator');

      const revoked = await cli('coordinator', 'revoke-site', 'hospital-s', '--coordinator', coordinator.url);

      expect(revoked.code).toBe(0);
      expect(revoked.out).toMatch(/^Revoked site 'Hospital S' \(id hospital-s\) at .*\n {2}closed its open connection \(1\)\.\n/);
      // The agent tries once more (the coordinator closed without a word), is refused at the handshake, and stops.
      expect(await running).toBe(2);
      expect(io.stderr()).toMatch(/disconnected \(io server disconnect\); reconnecting\n/);
      expect(io.stderr()).toMatch(
        /\nfedsynth site: error: coordinator revoked this site's token: site hospital-s has been revoked; ask the coordinator's operator for a new token \('fedsynth coordinator add-site NAME --rotate'\)\n$/,
      );
      // It no longer waits for a signal.
      expect(process.listeners('SIGTERM').filter((l) => !before.has(l))).toEqual([]);
    } finally {
      quiet.mockRestore();
    }
  });

  it('refuses an unknown site, a missing data folder and bad arguments with exit 2', async () => {
    const unknown = await cli('coordinator', 'revoke-site', 'nowhere', '--data-dir', coordinator.dataDir);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^fedsynth coordinator revoke-site: error: no site has the id or name "nowhere" \(registered site ids: .*hospital-r.*\)\n$/);

    const unknownApi = await cli('coordinator', 'revoke-site', 'nowhere', '--coordinator', coordinator.url);
    expect(unknownApi.code).toBe(2);
    expect(unknownApi.err).toContain('POST /api/sites/nowhere/revoke failed: HTTP 404: no site has the id or name "nowhere"');

    const taken = await cli('coordinator', 'add-site', 'Hospital R', '--data-dir', coordinator.dataDir);
    expect(taken.code).toBe(2);
    expect(taken.err).toContain('already registered; to issue it a new token: fedsynth coordinator add-site "Hospital R" --rotate');

    const rotateUnknown = await cli('coordinator', 'add-site', 'nowhere', '--rotate', '--data-dir', coordinator.dataDir);
    expect(rotateUnknown.code).toBe(2);
    expect(rotateUnknown.err).toContain('no site has the id or name "nowhere"');
    expect(rotateUnknown.err).toContain('; drop --rotate to register a new site');

    const elsewhere = join(coordinator.dataDir, 'not-a-coordinator');
    const missing = await cli('coordinator', 'revoke-site', 'hospital-r', '--data-dir', elsewhere);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`no coordinator database at ${join(elsewhere, 'coordinator.sqlite')}; point --data-dir`);

    expect((await cli('coordinator', 'revoke-site', '--data-dir', coordinator.dataDir)).err).toContain('a SITE (its id or name) is required');
    expect((await cli('coordinator', 'revoke-site', 'Hospital', 'R', '--data-dir', coordinator.dataDir)).err).toContain('quote a name with spaces: "Hospital R"');
    expect((await cli('coordinator', 'revoke-site', 'x', '--data-dir', coordinator.dataDir, '--coordinator', coordinator.url)).err).toContain('not both');
    expect((await cli('coordinator', 'add-site', 'hospital-r', '--rotate', '--id', 'y', '--data-dir', coordinator.dataDir)).err).toContain('--id cannot be used with --rotate');
  });
});

describe('run list and run stop', () => {
  it('lists runs as a table, stops one, and refuses to stop it twice', async () => {
    const url = coordinator.url;
    expect((await cli('run', 'list', '--coordinator', url)).out).toBe('No runs.\n');
    const first = (await cli('run', 'create', '--coordinator', url, '--ae-rounds', '1', '--gan-rounds', '2')).out.trim();
    const second = (await cli('run', 'create', '--coordinator', url, '--gan-rounds', '3')).out.trim();

    const listed = await cli('run', 'list', '--coordinator', url);
    expect(listed.code).toBe(0);
    const lines = listed.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID {36}STATUS {3}MODEL {3}PHASE\/ROUND {2}CREATED \(UTC\)$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${first}  created  medgan  -            \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`)),
      expect.stringMatching(new RegExp(`^${second}  created  medgan  -  `)),
    ]);

    const stopped = await cli('run', 'stop', first, '--coordinator', url);
    expect(stopped.err).toBe('');
    expect(stopped.code).toBe(0);
    expect(stopped.out).toBe(`Stopped run ${first}: status stopped, 3 rounds planned, error: stopped by an administrator\n`);
    const twice = await cli('run', 'stop', first, '--coordinator', url);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain(`POST /api/runs/${first}/stop failed: HTTP 409: run ${first} is stopped and cannot be stopped`);

    const onlyStopped = await cli('run', 'list', '--coordinator', url, '--status', 'stopped', '--json');
    expect((JSON.parse(onlyStopped.out) as RunListItem[]).map((r) => [r.id, r.status])).toEqual([[first, 'stopped']]);
    expect((await cli('run', 'list', '--coordinator', url, '--status', 'paused')).err).toContain("--status must be one of created, running, stopped, completed, failed, got 'paused'");
    expect((await cli('run', 'stop', '--coordinator', url)).err).toContain('a run id is required: fedsynth run stop RUN_ID');
    expect((await cli('run', 'stop', 'no-such-run', '--coordinator', url)).err).toMatch(/HTTP 404: .*no-such-run/);
  });
});

describe('help', () => {
  it('lists the new commands and options', async () => {
    const top = (await cli('--help')).out;
    expect(top).toMatch(/\n {2}coordinator revoke-site +Revoke a site's token/);
    expect(top).toMatch(/\n {2}run stop +Stop a run/);
    expect(top).toMatch(/\n {2}run list +List runs/);
    expect((await cli('coordinator', '--help')).out).toContain('fedsynth coordinator revoke-site SITE');
    expect((await cli('coordinator', 'add-site', '--help')).out).toContain('--rotate                   issue a new token');
    expect((await cli('coordinator', 'revoke-site', '--help')).out).toContain('POST /api/sites/SITE/revoke');
    expect((await cli('run', 'list', '--help')).out).toContain('--status STATUS');
    expect((await cli('run', 'stop', '--help')).out).toContain('Usage: fedsynth run stop RUN_ID --coordinator URL');
    const evaluate = (await cli('evaluate', '--help')).out;
    expect(evaluate).toContain('--synthetic-format mimic|long|wide');
    expect(evaluate).toContain('--input PATH');
  });
});

describe('formatRunTable', () => {
  const run = (id: string, over: Partial<RunListItem>): RunListItem => ({
    id,
    status: 'created',
    plan: { phases: [{ phase: 'autoencoder', rounds: 2 }, { phase: 'gan', rounds: 5 }], minSites: 3 },
    options: { modelFamily: 'medgan' },
    currentPhase: null,
    currentRound: null,
    error: null,
    createdAt: Date.UTC(2025, 0, 31, 14, 5, 9),
    startedAt: null,
    finishedAt: null,
    ...over,
  });

  it('aligns the columns and shows the 1-based round of the plan', () => {
    const table = formatRunTable([
      run('r1', {}),
      run('run-two', { status: 'running', currentPhase: 'gan', currentRound: 3, options: { modelFamily: 'wgan-gp' } }),
      run('r3', { options: {} }),
    ]);
    expect(table).toBe(
      [
        'ID       STATUS   MODEL    PHASE/ROUND  CREATED (UTC)',
        'r1       created  medgan   -            2025-01-31 14:05:09',
        'run-two  running  wgan-gp  gan 4/7      2025-01-31 14:05:09',
        'r3       created  ?        -            2025-01-31 14:05:09',
        '',
      ].join('\n'),
    );
  });
});
