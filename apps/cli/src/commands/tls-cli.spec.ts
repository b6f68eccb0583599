import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCoordinatorConfig, startCoordinator, type RunningCoordinator } from '@fedsynth/coordinator';
import { makeSelfSignedCert, type SelfSignedCert } from '../../../coordinator/src/__fixtures__/self-signed-cert';
import { captureIo } from '../test-io';
import { runCli } from '../run-cli';

// A real coordinator serving HTTPS with a self-signed certificate made by openssl for this
// test; the admin commands reach it only when told to trust that certificate.
const ADMIN_TOKEN = 'cli-tls-admin-token-0123456789';
const saved = { token: process.env.FEDSYNTH_ADMIN_TOKEN, ca: process.env.FEDSYNTH_CA_FILE };
let dir: string;
let cert: SelfSignedCert;
let coordinator: RunningCoordinator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedsynth-cli-tls-'));
  cert = makeSelfSignedCert(dir);
  const config = loadCoordinatorConfig({
    FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN,
    FEDSYNTH_HOST: '127.0.0.1',
    FEDSYNTH_PORT: '0',
    FEDSYNTH_DATA_DIR: join(dir, 'data'),
    FEDSYNTH_LOG_LEVEL: 'error',
    FEDSYNTH_TLS_CERT: cert.certPath,
    FEDSYNTH_TLS_KEY: cert.keyPath,
  });
  coordinator = await startCoordinator(config, { logger: false });
  process.env.FEDSYNTH_ADMIN_TOKEN = ADMIN_TOKEN;
  delete process.env.FEDSYNTH_CA_FILE;
});

afterAll(async () => {
  await coordinator?.close();
  for (const [name, value] of [['FEDSYNTH_ADMIN_TOKEN', saved.token], ['FEDSYNTH_CA_FILE', saved.ca]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('admin commands against an https coordinator', () => {
  it('trusts the certificate given with --ca or FEDSYNTH_CA_FILE', async () => {
    expect(coordinator.url).toMatch(/^https:/);
    const created = await cli('run', 'create', '--coordinator', coordinator.url, '--ca', cert.certPath, '--ae-rounds', '1', '--gan-rounds', '1');
    expect(created.code).toBe(0);
    const runId = created.out.trim();

    process.env.FEDSYNTH_CA_FILE = cert.certPath;
    try {
      const listed = await cli('run', 'list', '--coordinator', coordinator.url, '--json');
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ id: runId, status: 'created' })]);
    } finally {
      delete process.env.FEDSYNTH_CA_FILE;
    }
  });

  it('says how to trust a certificate it cannot verify', async () => {
    const refused = await cli('run', 'list', '--coordinator', coordinator.url);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`cannot trust the coordinator's TLS certificate at ${coordinator.url} (DEPTH_ZERO_SELF_SIGNED_CERT): pass its certificate (or CA) with --ca FILE or FEDSYNTH_CA_FILE`);

    const other = makeSelfSignedCert(dir, 'other');
    const wrong = await cli('run', 'list', '--coordinator', coordinator.url, '--ca', other.certPath);
    expect(wrong.err).toMatch(/cannot trust the coordinator's TLS certificate .*: the --ca certificate does not match it/);
  });

  it('refuses an unreadable or non-PEM --ca file before connecting', async () => {
    const missing = await cli('run', 'list', '--coordinator', coordinator.url, '--ca', join(dir, 'nope.pem'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`--ca: cannot read ${join(dir, 'nope.pem')} (ENOENT)`);

    const notPem = join(dir, 'not-pem.txt');
    await writeFile(notPem, 'hello');
    expect((await cli('site', '--coordinator', coordinator.url, '--ca', notPem, '--site', 's', '--token', 't', '--input', notPem)).err).toContain(
      `--ca: ${notPem} holds no PEM certificate`,
    );
  });
});
