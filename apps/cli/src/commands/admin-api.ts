import { FedsynthError } from '@fedsynth/gan';
import type { OptionValues } from '../command';
import { CA_HELP, caOption, fetchTrusting } from './coordinator-ca';
import { stringOption } from './data-options';

/** The environment variable holding the coordinator's admin bearer token (shared with the coordinator). */
export const ADMIN_TOKEN_VARIABLE = 'FEDSYNTH_ADMIN_TOKEN';

export const ADMIN_HELP = `Authentication:
  The admin token is read from the environment variable ${ADMIN_TOKEN_VARIABLE} (the same value the
  coordinator was started with). It is never taken as a flag, so it stays out of shell history
  and process listings.

TLS:
${CA_HELP}`;

/**
 * A coordinator base URL from --coordinator: http(s) only, no query or fragment, trailing
 * slashes dropped so paths can be appended. Checked before any request so a typo gives a clear
 * message instead of a fetch error.
 */
export function coordinatorUrl(values: OptionValues, option = 'coordinator'): string {
  const raw = stringOption(values, option);
  if (!raw) throw new FedsynthError(`--${option} URL is required, e.g. --${option} http://localhost:8080`, 'CLI_MISSING_OPTION');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FedsynthError(`--${option} must be a URL such as http://localhost:8080, got '${raw}'`, 'CLI_BAD_OPTION');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FedsynthError(`--${option} must be an http:// or https:// URL, got '${raw}'`, 'CLI_BAD_OPTION');
  }
  if (url.search || url.hash) throw new FedsynthError(`--${option} must not have a query or fragment, got '${raw}'`, 'CLI_BAD_OPTION');
  return url.toString().replace(/\/+$/, '');
}

/** The admin token from the environment, refused early when missing (the server would answer 401). */
export function adminToken(env: NodeJS.ProcessEnv = process.env): string {
  const token = env[ADMIN_TOKEN_VARIABLE]?.trim();
  if (!token) {
    throw new FedsynthError(
      `${ADMIN_TOKEN_VARIABLE} is not set: export the coordinator's admin token first, e.g. export ${ADMIN_TOKEN_VARIABLE}=...`,
      'CLI_MISSING_TOKEN',
    );
  }
  return token;
}

/** A run id from the first positional (or a named option), with a usage hint when absent. */
export function runIdArgument(positionals: string[], usage: string): string {
  if (positionals.length === 0) throw new FedsynthError(`a run id is required: ${usage}`, 'CLI_MISSING_ARGUMENT');
  if (positionals.length > 1) throw new FedsynthError(`expected one run id, got ${positionals.length} arguments: ${positionals.join(' ')}`, 'CLI_BAD_ARGUMENT');
  return positionals[0];
}

/** Admin REST client: Node 20's global fetch with the bearer token; HTTP errors carry the server's message. */
export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    /** PEM certificate(s) to trust for an https:// coordinator (--ca / FEDSYNTH_CA_FILE). */
    private readonly ca?: string,
  ) {}

  static from(values: OptionValues): AdminClient {
    // URL first: a malformed URL is the more likely typo, and needs no secret to report.
    const url = coordinatorUrl(values);
    const ca = caOption(values);
    return new AdminClient(url, adminToken(), ca);
  }

  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = (await this.request(method, path, body))!;
    return (await response.json()) as T;
  }

  /** The body as bytes, or null on 404 when `optional` (e.g. state.bin, absent for strategies without state). */
  async bytes(path: string, options: { optional?: boolean } = {}): Promise<Buffer | null> {
    const response = await this.request('GET', path, undefined, options.optional === true);
    if (response === null) return null;
    return Buffer.from(await response.arrayBuffer());
  }

  /** The response when ok; null only for a 404 the caller allowed. */
  private async request(method: string, path: string, body?: unknown, allow404 = false): Promise<Response | null> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      const send = this.ca === undefined ? fetch : fetchTrusting(this.ca);
      response = await send(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(why)) {
        const hint = this.ca === undefined ? 'pass its certificate (or CA) with --ca FILE or FEDSYNTH_CA_FILE' : 'the --ca certificate does not match it';
        throw new FedsynthError(`cannot trust the coordinator's TLS certificate at ${this.baseUrl} (${why}): ${hint}`, 'CLI_UNTRUSTED_CERT');
      }
      throw new FedsynthError(`cannot reach the coordinator at ${this.baseUrl} (${why}); is it running, and is the URL right?`, 'CLI_UNREACHABLE');
    }
    if (response.ok) return response;
    if (response.status === 404 && allow404) return null;
    throw new FedsynthError(`${method} ${path} failed: HTTP ${response.status}: ${await serverMessage(response)}`, 'CLI_HTTP_ERROR');
  }
}

/** Nest answers `{ statusCode, message }` (message may be a list); anything else is shown as text. */
async function serverMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (Array.isArray(body.message)) return body.message.join('; ');
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  const trimmed = text.trim();
  if (response.status === 401 && !trimmed) return `unauthorized: check ${ADMIN_TOKEN_VARIABLE}`;
  return trimmed.slice(0, 500) || response.statusText;
}
