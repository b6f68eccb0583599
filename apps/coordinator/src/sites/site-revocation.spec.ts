import { createEnvelope, decodeEnvelope, encodeEnvelope, handshakeAuth, SITES_NAMESPACE, WIRE_EVENTS, type Envelope } from '@fedsynth/protocol';
import { io, type Socket } from 'socket.io-client';
import { E2E_ADMIN_TOKEN, startE2eFederation, type E2eFederation } from '../__fixtures__/e2e-federation';
import type { CoordinatorConfig } from '../config/coordinator-config';
import { addSite, type RunningCoordinator } from '../start-coordinator';
import { openExistingStore, reissueSiteToken, revokeSite } from '../store/site-admin';

// A real coordinator on an ephemeral port, real Socket.IO clients, and revocations written
// either through a second connection to the database (what `fedsynth coordinator
// revoke-site` does) or through the REST API. Sites are added while it runs.
let federation: E2eFederation;
let config: CoordinatorConfig;
let coordinator: RunningCoordinator;
const open: Socket[] = [];

beforeAll(async () => {
  federation = await startE2eFederation({ prefix: 'fedsynth-revocation-', sites: [] });
  ({ config, coordinator } = federation);
});

afterAll(async () => {
  open.forEach((s) => s.close());
  await federation?.close();
});

/** Connects as a site; resolves with the socket once connected, or the refusal's message and data. */
function connect(siteId: string, token: string): Promise<{ socket: Socket } | { refused: string; data: unknown }> {
  const socket = io(coordinator.url + SITES_NAMESPACE, { auth: handshakeAuth(siteId, token), reconnection: false, transports: ['websocket'], forceNew: true });
  open.push(socket);
  return new Promise((resolve) => {
    socket.on('connect', () => resolve({ socket }));
    socket.on('connect_error', (error) => resolve({ refused: error.message, data: (error as Error & { data?: unknown }).data }));
  });
}

async function connected(siteId: string, token: string): Promise<Socket> {
  const result = await connect(siteId, token);
  if (!('socket' in result)) throw new Error(`expected ${siteId} to connect, was refused: ${result.refused}`);
  return result.socket;
}

/** Sends one small envelope as a single frame and decodes the coordinator's answer. */
async function send(socket: Socket, envelope: Envelope): Promise<Envelope> {
  const reply = (await socket.timeout(5000).emitWithAck(WIRE_EVENTS.frame, encodeEnvelope(envelope))) as ArrayBuffer | Uint8Array;
  return decodeEnvelope(reply instanceof Uint8Array ? reply : new Uint8Array(reply));
}

const heartbeat = () => createEnvelope('heartbeat', { sentAtUnixMs: Date.now(), state: 'idle', runId: '', progress: 0 });
const disconnection = (socket: Socket) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

function api(method: 'GET' | 'POST', path: string, token = E2E_ADMIN_TOKEN) {
  return fetch(coordinator.url + path, { method, headers: { authorization: `Bearer ${token}` } });
}

describe('site revocation against a running coordinator', () => {
  it('refuses the next connection once another process revoked the site, and cuts the connected one at its next message', async () => {
    const { token } = addSite(config, { name: 'Hospital A', id: 'hospital-a' });
    const socket = await connected('hospital-a', token);
    expect(await send(socket, heartbeat())).toMatchObject({ body: { kind: 'heartbeat' } });

    // What `fedsynth coordinator revoke-site` does: its own connection to the same file.
    const cli = openExistingStore(config.databasePath);
    try {
      revokeSite(cli, 'Hospital A', 'cli');
    } finally {
      cli.close();
    }

    const cut = disconnection(socket);
    const answer = await send(socket, heartbeat());
    expect(answer.body).toEqual({ kind: 'error', value: { code: 'UNAUTHORIZED', reason: 'site hospital-a has been revoked; the coordinator closes this connection' } });
    expect(await cut).toBe('io server disconnect');

    const again = await connect('hospital-a', token);
    expect(again).toEqual({
      refused: "UNAUTHORIZED: site hospital-a has been revoked; ask the coordinator's operator for a new token ('fedsynth coordinator add-site NAME --rotate')",
      data: { code: 'UNAUTHORIZED' },
    });
  });

  it('revokes over REST, closing the open connection at once; refuses an unknown site and a missing admin token', async () => {
    const { token } = addSite(config, { name: 'Hospital B', id: 'hospital-b' });
    const socket = await connected('hospital-b', token);
    const cut = disconnection(socket);

    expect((await api('POST', '/api/sites/hospital-b/revoke', 'not-the-admin-token')).status).toBe(401);
    const response = await api('POST', '/api/sites/hospital-b/revoke');

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 'hospital-b', name: 'Hospital B', revokedAt: expect.any(Number), alreadyRevoked: false, disconnected: 1 });
    expect(await cut).toBe('io server disconnect');
    expect(await connect('hospital-b', token)).toMatchObject({ refused: expect.stringMatching(/^UNAUTHORIZED: site hospital-b has been revoked/) });
    const sites = (await (await api('GET', '/api/sites')).json()) as { id: string; connected: boolean; revokedAt: number | null }[];
    expect(sites.find((s) => s.id === 'hospital-b')).toMatchObject({ connected: false, revokedAt: expect.any(Number) });

    const unknown = await api('POST', '/api/sites/nowhere/revoke');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'SITE_NOT_FOUND', message: expect.stringContaining('no site has the id or name "nowhere"') });
  });

  it('lets a re-provisioned site in with its new token only', async () => {
    const { token: old } = addSite(config, { name: 'Hospital C', id: 'hospital-c' });
    const store = openExistingStore(config.databasePath);
    let fresh: string;
    try {
      revokeSite(store, 'hospital-c', 'cli');
      fresh = reissueSiteToken(store, 'hospital-c', 'cli').token;
    } finally {
      store.close();
    }

    expect(await connect('hospital-c', old)).toMatchObject({ refused: expect.stringMatching(/^UNAUTHORIZED: site hospital-c is unknown or its token is wrong/) });
    const socket = await connected('hospital-c', fresh);
    expect(await send(socket, heartbeat())).toMatchObject({ body: { kind: 'heartbeat' } });
  });
});
