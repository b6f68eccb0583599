import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RoundRecord } from '../store/round.repository';
import type { RunRecord } from '../store/run.repository';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The admin REST API of a coordinator in another process, over http or https (trusting
 * `ca`; Node 20's fetch takes no CA), as an administrator's tools would use it.
 */
export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly ca?: string,
  ) {}

  /** The status and the parsed JSON body (or the raw text when it is not JSON). */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const url = this.baseUrl + path;
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, ...(payload ? { 'content-type': 'application/json' } : {}) };
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, ...(this.ca ? { ca: this.ca } : {}) }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: response.statusCode ?? 0, body: parsed as T });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like call, but throws unless the status is 2xx. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, body: answer } = await this.call<T>(method, path, body);
    if (status < 200 || status >= 300) throw new Error(`${method} ${path}: HTTP ${status}: ${JSON.stringify(answer)}`);
    return answer;
  }

  async createAndStart(body: { plan: unknown; options: unknown }): Promise<string> {
    const run = await this.json<RunRecord>('POST', '/api/runs', body);
    await this.json('POST', `/api/runs/${run.id}/start`);
    return run.id;
  }

  runView(runId: string): Promise<{ run: RunRecord; rounds: RoundRecord[] }> {
    return this.json('GET', `/api/runs/${runId}`);
  }

  /** Polls until `done` holds for the run's view; throws with the last view after `timeoutMs`. */
  async waitForRun(runId: string, done: (view: { run: RunRecord; rounds: RoundRecord[] }) => boolean, timeoutMs: number, what: string): Promise<{ run: RunRecord; rounds: RoundRecord[] }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.runView(runId);
      if (done(view)) return view;
      if (Date.now() > deadline) {
        const rounds = view.rounds.map((r) => `${r.round}/${r.attempt}:${r.status}${r.error ? ` (${r.error})` : ''}`).join(', ');
        throw new Error(`run ${runId}: ${what} did not happen within ${timeoutMs} ms (run ${view.run.status}${view.run.error ? `: ${view.run.error}` : ''}; rounds ${rounds || 'none'})`);
      }
      await sleep(100);
    }
  }

  /** Resolves once every given site is connected (GET /api/sites). */
  async waitForSites(siteIds: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sites = await this.json<Array<{ id: string; connected: boolean }>>('GET', '/api/sites');
      const missing = siteIds.filter((id) => !sites.some((s) => s.id === id && s.connected));
      if (missing.length === 0) return;
      if (Date.now() > deadline) throw new Error(`site(s) ${missing.join(', ')} not connected within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}
