import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SelfSignedCert {
  readonly certPath: string;
  readonly keyPath: string;
  /** The certificate's PEM text: what a client passes as its CA to trust it. */
  readonly certPem: string;
}

/**
 * A fresh self-signed certificate for localhost and 127.0.0.1 (P-256 key, valid one day),
 * written into `dir`. node:crypto can read X.509 certificates but not create them, so the
 * `openssl` binary does it; without it the tests that need TLS fail with this message.
 */
export function makeSelfSignedCert(dir: string, name = 'coordinator'): SelfSignedCert {
  const certPath = join(dir, `${name}-cert.pem`);
  const keyPath = join(dir, `${name}-key.pem`);
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath,
        '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'the TLS tests need the `openssl` binary to make a self-signed certificate (node:crypto cannot create X.509 certificates); install openssl'
        : `openssl could not make a self-signed certificate: ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message)}`,
    );
  }
  return { certPath, keyPath, certPem: readFileSync(certPath, 'utf8') };
}
