import { handshakeAuth } from '@fedsynth/protocol';
import { E2E_ADMIN_TOKEN, startE2eFederation, type E2eFederation } from '../__fixtures__/e2e-federation';
import { AuditRepository } from '../store/audit.repository';
import { ProtocolSite } from './protocol-site';

// A real coordinator with small limits: 3 site connection attempts and 2 failed admin
// authentications per client IP per 3 s. Every client here comes from 127.0.0.1.
let federation: E2eFederation;
let token: string;
const open: Array<{ close(): unknown }> = [];

beforeAll(async () => {
  federation = await startE2eFederation({
    prefix: 'fedsynth-rate-',
    sites: ['hospital-a'],
    env: { FEDSYNTH_CONNECT_LIMIT: '3', FEDSYNTH_AUTH_FAILURE_LIMIT: '2', FEDSYNTH_RATE_WINDOW_MS: '3000' },
  });
  token = federation.tokens.get('hospital-a')!;
});

afterAll(async () => {
  await Promise.all(open.map((o) => o.close()));
  await federation?.close();
});

const audit = () => federation.coordinator.app.get(AuditRepository, { strict: false });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects a protocol-level site; resolves 'connected' or the refusal (message and data). */
async function attempt(auth = handshakeAuth('hospital-a', token)): Promise<'connected' | { message: string; data: unknown }> {
  const site = new ProtocolSite({ url: federation.coordinator.url, siteId: auth.siteId, token: auth.token, auth: { ...auth }, summary: { recordCount: 1, recordUnit: 'patient', codeLevel: 'category', minCodeCount: 1, codes: ['401'] } });
  open.push(site);
  try {
    await site.connect();
    return 'connected';
  } catch (error) {
    return { message: (error as Error).message, data: (error as Error & { data?: unknown }).data };
  }
}

describe('connection-rate limits', () => {
  it('refuses a client IP past FEDSYNTH_CONNECT_LIMIT attempts with BUSY, audits the burst once, and a site agent comes back on its own', async () => {
    // The agent's files were written at set-up: the bucket refills one attempt a second, so on a
    // loaded machine slow set-up between the burst and the agent's start would let it straight in.
    expect(await attempt()).toBe('connected');
    expect(await attempt({ ...handshakeAuth('hospital-a', 'x'.repeat(43)) })).toMatchObject({ message: expect.stringMatching(/^UNAUTHORIZED/) });
    expect(await attempt()).toBe('connected');

    const refused = await attempt();
    expect(refused).toEqual({
      message: expect.stringMatching(/^BUSY: too many connection attempts from \S*127\.0\.0\.1 \(limit 3 per 3 s, FEDSYNTH_CONNECT_LIMIT\); retry in 1 s$/),
      data: { code: 'BUSY', retryAfterMs: expect.any(Number) },
    });
    expect(await attempt()).toMatchObject({ message: expect.stringMatching(/^BUSY: /) });
    expect(audit().list({ action: 'site.rate-limited' })).toEqual([
      expect.objectContaining({ actor: 'site:hospital-a', details: expect.objectContaining({ limit: 3, windowMs: 3000 }) }),
    ]);

    // A real agent refused with BUSY waits as told and connects.
    const events: string[] = [];
    const agent = federation.agent('hospital-a', { onEvent: (event) => events.push(event.type === 'error' ? event.message : event.type) });
    // Still saturated right before the agent starts (a refused attempt takes no token).
    expect(await attempt()).toMatchObject({ message: expect.stringMatching(/^BUSY: /) });
    await agent.start();
    expect(events[0]).toMatch(/^BUSY: too many connection attempts/);
    expect(events).toContain('connected');
  });

  it('answers 429 to an IP that failed admin authentication FEDSYNTH_AUTH_FAILURE_LIMIT times, until it may try again', async () => {
    const get = (bearer: string) => fetch(`${federation.coordinator.url}/api/runs`, { headers: { authorization: `Bearer ${bearer}` } });
    expect((await get('wrong-token-1')).status).toBe(401);
    expect((await get('wrong-token-2')).status).toBe(401);

    const held = await get(E2E_ADMIN_TOKEN);
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await held.json()).toEqual({
      statusCode: 429,
      message: expect.stringMatching(/^too many failed admin authentications from \S*127\.0\.0\.1 \(limit 2 per 3 s, FEDSYNTH_AUTH_FAILURE_LIMIT\); retry in \d s$/),
    });
    expect((await fetch(`${federation.coordinator.url}/dashboard/login`, { method: 'POST' })).status).toBe(429);
    expect(audit().list({ action: 'admin.rate-limited' })).toHaveLength(1);

    await sleep(Number(held.headers.get('retry-after')) * 1000);
    expect((await get(E2E_ADMIN_TOKEN)).status).toBe(200);
  });
});
