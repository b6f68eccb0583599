import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSelfSignedCert } from '../__fixtures__/self-signed-cert';
import { useTempDir } from '../__fixtures__/temp-dir';
import { ConfigError } from './coordinator-config';
import { loadTlsCredentials } from './tls-credentials';

describe('loadTlsCredentials', () => {
  const tmp = useTempDir();

  it('reads a matching certificate and key', () => {
    const cert = makeSelfSignedCert(tmp.path);
    const loaded = loadTlsCredentials({ certPath: cert.certPath, keyPath: cert.keyPath });
    expect(loaded.cert).toBe(cert.certPem);
    expect(loaded.key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(new Date(loaded.validTo).getTime()).toBeGreaterThan(Date.now());
  });

  it('names every unreadable file', () => {
    const load = () => loadTlsCredentials({ certPath: join(tmp.path, 'missing-cert.pem'), keyPath: tmp.path });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`FEDSYNTH_TLS_CERT: cannot read ${join(tmp.path, 'missing-cert.pem')} (ENOENT: no such file or directory`);
    expect(load).toThrow(`FEDSYNTH_TLS_KEY: cannot read ${tmp.path} (EISDIR`);
  });

  it('refuses files that are not PEM, without echoing the key', () => {
    const der = join(tmp.path, 'cert.der');
    const key = join(tmp.path, 'key.txt');
    writeFileSync(der, Buffer.from([0x30, 0x82, 0x01, 0x0a]));
    writeFileSync(key, 'not-a-key-secret-text');
    const load = () => loadTlsCredentials({ certPath: der, keyPath: key });
    expect(load).toThrow(`FEDSYNTH_TLS_CERT: ${der} holds no PEM certificate`);
    expect(load).toThrow(`FEDSYNTH_TLS_KEY: ${key} holds no PEM private key`);
    expect(load).not.toThrow(/not-a-key-secret-text/);
  });

  it('refuses the key of another certificate', () => {
    const one = makeSelfSignedCert(tmp.path, 'one');
    const other = makeSelfSignedCert(tmp.path, 'other');
    expect(() => loadTlsCredentials({ certPath: one.certPath, keyPath: other.keyPath })).toThrow(
      `FEDSYNTH_TLS_KEY: ${other.keyPath} is not the private key of the certificate in ${one.certPath}`,
    );
  });
});
