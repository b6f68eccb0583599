import { initBackend } from '@fedsynth/gan';
import { SiteAgent, type SiteAgentEvent } from '@fedsynth/site-agent';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemoSites } from '../__fixtures__/demo-sites';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../config/coordinator-config';
import { addSite, startCoordinator, type RunningCoordinator } from '../start-coordinator';
import { openExistingStore, revokeSite } from '../store/site-admin';
import { SitesGateway } from './sites.gateway';

// A real coordinator (restarted on the same port where a test needs it) and real site agents:
// what an agent does when the coordinator, not the network, ends its connection.
const ADMIN_TOKEN = 'agent-disconnects-admin-token-0123456789';
let dir: string;
let input: string;
let config: CoordinatorConfig;
let coordinator: RunningCoordinator | undefined;
const agents: SiteAgent[] = [];

beforeAll(async () => {
  await initBackend({ log: () => undefined });
  dir = mkdtempSync(join(tmpdir(), 'fedsynth-agent-disconnects-'));
  input = writeDemoSites(join(dir, 'sites'), 1)[0]!;
});

beforeEach(async () => {
  config = loadCoordinatorConfig({
    FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN,
    FEDSYNTH_DATA_DIR: mkdtempSync(join(dir, 'coordinator-')),
    FEDSYNTH_HOST: '127.0.0.1',
    FEDSYNTH_PORT: '0',
    FEDSYNTH_LOG_LEVEL: 'error',
  });
  coordinator = await startCoordinator(config, { logger: false });
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await coordinator?.close();
  coordinator = undefined;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A connected agent on the demo records; its events are kept (as text) in `events`. */
async function startAgent(siteId: string, token: string, events: string[]): Promise<SiteAgent> {
  const agent = new SiteAgent({
    url: coordinator!.url,
    siteId,
    token,
    data: { read: { format: 'long', input, rollup: true }, minCodeCount: 2 },
    reconnectDelayMs: 100,
    reconnectDelayMaxMs: 400,
    onEvent: (event) => events.push(eventText(event)),
  });
  agents.push(agent);
  await agent.start();
  return agent;
}

function eventText(event: SiteAgentEvent): string {
  if (event.type === 'disconnected') return `disconnected (${event.reason})${event.reconnecting ? ' reconnecting' : ''}`;
  if (event.type === 'stopped') return `stopped ${event.code}`;
  return event.type === 'error' ? `error ${event.message}` : event.type;
}

/** Restarts the coordinator on its port with the same data folder (a deployment's restart). */
async function restartCoordinator(between: () => void = () => undefined): Promise<void> {
  const port = new URL(coordinator!.url).port;
  await coordinator!.close();
  coordinator = undefined;
  between();
  coordinator = await startCoordinator({ ...config, port: Number(port) }, { logger: false });
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a site agent whose connection the coordinator ends', () => {
  it('stops with the reason when revoked over REST (the server-side disconnect, then the refused reconnection)', async () => {
    const { token } = addSite(config, { name: 'Hospital A', id: 'hospital-a' });
    const events: string[] = [];
    const agent = await startAgent('hospital-a', token, events);

    const response = await fetch(`${coordinator!.url}/api/sites/hospital-a/revoke`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);

    const stop = await within(agent.stopped, 10_000, 'the agent stopping');
    expect(stop).toEqual({
      code: 'UNAUTHORIZED',
      reason: "site hospital-a has been revoked; ask the coordinator's operator for a new token ('fedsynth coordinator add-site NAME --rotate')",
      message: "coordinator revoked this site's token: site hospital-a has been revoked; ask the coordinator's operator for a new token ('fedsynth coordinator add-site NAME --rotate')",
    });
    // It tried once more (the coordinator said nothing before closing), was refused, and stopped.
    expect(events).toEqual([
      'connected',
      'disconnected (io server disconnect) reconnecting',
      expect.stringMatching(/^error UNAUTHORIZED: site hospital-a has been revoked/),
      'stopped UNAUTHORIZED',
    ]);
  });

  it('stops at once when an UNAUTHORIZED answer precedes the disconnect (revoked by another process, seen at its next message)', async () => {
    const { token } = addSite(config, { name: 'Hospital B', id: 'hospital-b' });
    const events: string[] = [];
    const agent = await startAgent('hospital-b', token, events);
    // What `fedsynth coordinator revoke-site` does: its own connection to the database. The
    // coordinator learns it at the site's next message: here the Heartbeat its first task sends.
    const store = openExistingStore(config.databasePath);
    try {
      revokeSite(store, 'hospital-b', 'cli');
    } finally {
      store.close();
    }
    const run = await fetch(`${coordinator!.url}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        plan: { phases: [{ phase: 'autoencoder', rounds: 1 }], minSites: 1, roundDeadlineMs: 60_000, maxRoundRetries: 0, evaluateEvery: 0 },
        options: { model: { latentDim: 4, generatorBlocks: 1, discriminatorDims: [8] }, train: { localEpochs: 1, batchSize: 16, seed: 1 }, vocabulary: { codeLevel: 'category', minCodeCount: 2 } },
      }),
    });
    const { id } = (await run.json()) as { id: string };
    expect((await fetch(`${coordinator!.url}/api/runs/${id}/start`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);

    const stop = await within(agent.stopped, 30_000, 'the agent stopping');
    expect(stop).toEqual({
      code: 'UNAUTHORIZED',
      reason: 'site hospital-b has been revoked; the coordinator closes this connection',
      message: "coordinator revoked this site's token: site hospital-b has been revoked; the coordinator closes this connection; ask the coordinator's admin for a new token",
    });
    // No reconnection attempt (the answer said why), and the update being trained is not sent.
    const after = events.slice(events.indexOf('disconnected (io server disconnect)')).filter((e) => e !== 'trainLog');
    expect(after).toEqual(['disconnected (io server disconnect)', 'stopped UNAUTHORIZED']);
    expect(events).not.toContain('disconnected (io server disconnect) reconnecting');
  });

  it('reconnects and introduces itself again when the coordinator restarts', async () => {
    const { token } = addSite(config, { name: 'Hospital C', id: 'hospital-c' });
    const events: string[] = [];
    const agent = await startAgent('hospital-c', token, events);
    let stopped = false;
    void agent.stopped.then(() => (stopped = true));

    await restartCoordinator();
    await until(() => events.filter((e) => e === 'connected').length === 2, 15_000, 'the reconnection');

    // A coordinator shutting down closes the transport: Socket.IO's own reconnection handles it.
    expect(events[1]).toBe('disconnected (transport close) reconnecting');
    const sites = (await (await fetch(`${coordinator!.url}/api/sites`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { id: string; connected: boolean }[];
    expect(sites.find((s) => s.id === 'hospital-c')).toMatchObject({ connected: true });
    expect(stopped).toBe(false);
  });

  it('reconnects with backoff after a server-side disconnect that gave no reason (Socket.IO would stay away)', async () => {
    const { token } = addSite(config, { name: 'Hospital E', id: 'hospital-e' });
    const events: string[] = [];
    await startAgent('hospital-e', token, events);

    expect(coordinator!.app.get(SitesGateway).disconnectSite('hospital-e')).toBe(1);
    await until(() => events.filter((e) => e === 'connected').length === 2, 10_000, 'the reconnection');
    expect(events).toEqual(['connected', 'disconnected (io server disconnect) reconnecting', 'connected']);

    // And again: a successful reintroduction resets the backoff, so the agent is never left idle.
    expect(coordinator!.app.get(SitesGateway).disconnectSite('hospital-e')).toBe(1);
    await until(() => events.filter((e) => e === 'connected').length === 3, 10_000, 'the second reconnection');
  });

  it('stops when revoked while away: the reconnection after a restart is refused', async () => {
    const { token } = addSite(config, { name: 'Hospital D', id: 'hospital-d' });
    const events: string[] = [];
    const agent = await startAgent('hospital-d', token, events);

    await restartCoordinator(() => {
      const store = openExistingStore(config.databasePath);
      try {
        revokeSite(store, 'hospital-d', 'cli');
      } finally {
        store.close();
      }
    });

    const stop = await within(agent.stopped, 15_000, 'the agent stopping');
    expect(stop.message).toMatch(/^coordinator revoked this site's token: site hospital-d has been revoked; ask the coordinator's operator for a new token/);
    expect(events).toContain('stopped UNAUTHORIZED');
    expect(events.filter((e) => e === 'connected')).toHaveLength(1);
  });
});
