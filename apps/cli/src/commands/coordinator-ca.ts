import { FedsynthError } from '@fedsynth/gan';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OptionValues } from '../command';
import { stringOption } from './data-options';

/** Lets the CA file be set once for every command (site agent and admin commands alike). */
export const CA_FILE_VARIABLE = 'FEDSYNTH_CA_FILE';

export const CA_HELP = `  --ca FILE                  PEM certificate to trust for an https:// coordinator with a
                             self-signed or private-CA certificate (or set ${CA_FILE_VARIABLE})`;

/**
 * The PEM text of --ca FILE (else FEDSYNTH_CA_FILE), or undefined when neither is given (the
 * system's CAs only). A missing or non-PEM file is refused here, naming the flag, rather than
 * surfacing later as an opaque TLS failure.
 */
export function caOption(values: OptionValues, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const flag = stringOption(values, 'ca');
  const path = flag ?? env[CA_FILE_VARIABLE]?.trim();
  if (path === undefined || path === '') return undefined;
  const source = flag !== undefined ? '--ca' : CA_FILE_VARIABLE;
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FedsynthError(`${source}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'CLI_BAD_OPTION');
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new FedsynthError(`${source}: ${path} holds no PEM certificate (expected a '-----BEGIN CERTIFICATE-----' block)`, 'CLI_BAD_OPTION');
  }
  return pem;
}

/**
 * A `fetch` that trusts `ca` for https:// URLs. Node 20's global fetch takes no CA option,
 * so this sends the request with node:https and wraps the answer in a standard Response. A
 * connection failure is thrown as fetch does: TypeError('fetch failed') with the cause.
 */
export function fetchTrusting(ca: string): (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<Response> {
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const send = url.startsWith('https:') ? httpsRequest : httpRequest;
      const req = send(url, { method: init.method, headers: init.headers, ...(url.startsWith('https:') ? { ca } : {}) }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const empty = status === 204 || status === 205 || status === 304;
          resolve(new Response(empty ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage ?? '', headers }));
        });
      });
      req.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
      req.end(init.body);
    });
}
