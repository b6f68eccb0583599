import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { ConfigError, type CoordinatorConfig } from './coordinator-config';

/** What Node's https server needs: the PEM texts of the certificate (chain) and its key. */
export interface TlsCredentials {
  readonly cert: string;
  readonly key: string;
  /** When the leaf certificate expires (for the start-up line). */
  readonly validTo: string;
}

function readPem(variable: string, path: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    problems.push(`${variable}: cannot read ${path} (${code}: ${(error as Error).message.replace(/^\w+: /, '')})`);
    return undefined;
  }
}

/**
 * Reads and checks the certificate and key files named by FEDSYNTH_TLS_CERT / FEDSYNTH_TLS_KEY
 * before the server listens, so a typo in a path, a file the service user cannot read, a
 * key of another certificate or a DER file is one clear ConfigError at start-up, not a
 * handshake failure at every site. The key itself is never echoed.
 */
export function loadTlsCredentials(tls: NonNullable<CoordinatorConfig['tls']>): TlsCredentials {
  const problems: string[] = [];
  const cert = readPem('FEDSYNTH_TLS_CERT', tls.certPath, problems);
  const key = readPem('FEDSYNTH_TLS_KEY', tls.keyPath, problems);
  if (cert !== undefined && !cert.includes('-----BEGIN CERTIFICATE-----')) {
    problems.push(`FEDSYNTH_TLS_CERT: ${tls.certPath} holds no PEM certificate (expected a '-----BEGIN CERTIFICATE-----' block)`);
  }
  if (key !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    problems.push(`FEDSYNTH_TLS_KEY: ${tls.keyPath} holds no PEM private key (expected a '-----BEGIN ... PRIVATE KEY-----' block)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  let validTo: string;
  try {
    validTo = new X509Certificate(cert!).validTo;
  } catch (error) {
    throw new ConfigError([`FEDSYNTH_TLS_CERT: ${tls.certPath} is not a valid certificate (${(error as Error).message})`]);
  }
  try {
    // Parses the key and checks that it belongs to the certificate, as the server would on its first handshake.
    createSecureContext({ cert: cert!, key: key! });
  } catch (error) {
    const why = (error as Error).message;
    const mismatch = /key values mismatch/i.test(why);
    throw new ConfigError([
      mismatch
        ? `FEDSYNTH_TLS_KEY: ${tls.keyPath} is not the private key of the certificate in ${tls.certPath}`
        : `FEDSYNTH_TLS_KEY: ${tls.keyPath} cannot be used with ${tls.certPath} (${why})`,
    ]);
  }
  return { cert: cert!, key: key!, validTo };
}
