import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSelfSignedCert, type SelfSignedCert } from '../../../coordinator/src/__fixtures__/self-signed-cert';
import { cli, useTestCoordinator } from '../__fixtures__/cli-harness';

// A real coordinator serving HTTPS with a self-signed certificate made by openssl for this
// test; the admin commands reach it only when told to trust that certificate.
let cert: SelfSignedCert;
const coordinator = useTestCoordinator({
  adminToken: 'cli-tls-admin-token-0123456789',
  prefix: 'fedsynth-cli-tls-',
  env: (dir) => {
    cert = makeSelfSignedCert(dir);
    return { FEDSYNTH_TLS_CERT: cert.certPath, FEDSYNTH_TLS_KEY: cert.keyPath };
  },
});
const savedCaFile = process.env.FEDSYNTH_CA_FILE;
beforeAll(() => {
  delete process.env.FEDSYNTH_CA_FILE;
});
afterAll(() => {
  if (savedCaFile === undefined) delete process.env.FEDSYNTH_CA_FILE;
  else process.env.FEDSYNTH_CA_FILE = savedCaFile;
});

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

    const other = makeSelfSignedCert(coordinator.dir, 'other');
    const wrong = await cli('run', 'list', '--coordinator', coordinator.url, '--ca', other.certPath);
    expect(wrong.err).toMatch(/cannot trust the coordinator's TLS certificate .*: the --ca certificate does not match it/);
  });

  it('refuses an unreadable or non-PEM --ca file before connecting', async () => {
    const missing = await cli('run', 'list', '--coordinator', coordinator.url, '--ca', join(coordinator.dir, 'nope.pem'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`--ca: cannot read ${join(coordinator.dir, 'nope.pem')} (ENOENT)`);

    const notPem = join(coordinator.dir, 'not-pem.txt');
    await writeFile(notPem, 'hello');
    expect((await cli('site', '--coordinator', coordinator.url, '--ca', notPem, '--site', 's', '--token', 't', '--input', notPem)).err).toContain(
      `--ca: ${notPem} holds no PEM certificate`,
    );
  });
});
