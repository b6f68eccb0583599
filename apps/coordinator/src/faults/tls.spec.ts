import { SiteAgent } from '@fedsynth/site-agent';
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_ADMIN_TOKEN, startE2eFederation, type E2eFederation } from '../__fixtures__/e2e-federation';
import { makeSelfSignedCert, type SelfSignedCert } from '../__fixtures__/self-signed-cert';
import { SiteSessions } from '../sites/site-sessions';
import type { RunningCoordinator } from '../start-coordinator';
import { AuditRepository } from '../store/audit.repository';

// A real coordinator serving HTTPS/WSS from certificate files made by openssl for this test,
// a real site agent trusting that certificate, and clients that do not.
let certDir: string;
let cert: SelfSignedCert;
let federation: E2eFederation;
let coordinator: RunningCoordinator;

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'fedsynth-tls-cert-'));
  cert = makeSelfSignedCert(certDir);
  federation = await startE2eFederation({
    prefix: 'fedsynth-tls-',
    sites: ['hospital-a'],
    env: { FEDSYNTH_TLS_CERT: cert.certPath, FEDSYNTH_TLS_KEY: cert.keyPath },
  });
  coordinator = federation.coordinator;
});

afterAll(async () => {
  await federation?.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

function agent(url: string, ca?: string): SiteAgent {
  return federation.agent('hospital-a', { url, ...(ca ? { ca } : {}) });
}

/** GET over https trusting `ca` (Node 20's fetch takes no CA option). */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS from certificate files', () => {
  it('serves https, and a site agent trusting the certificate joins over wss', async () => {
    expect(coordinator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const site = agent(coordinator.url, cert.certPem);
    await site.start();

    const sessions = coordinator.app.get(SiteSessions, { strict: false });
    expect(sessions.readySiteIds()).toEqual(['hospital-a']);
    const connected = coordinator.app.get(AuditRepository, { strict: false }).list({ action: 'site.connected' });
    expect(connected).toEqual([expect.objectContaining({ actor: 'site:hospital-a', details: expect.objectContaining({ protocolVersion: 1 }) })]);

    const sites = await httpsGet(`${coordinator.url}/api/sites`, cert.certPem);
    expect(sites.status).toBe(200);
    expect(JSON.parse(sites.body)).toEqual([expect.objectContaining({ id: 'hospital-a', connected: true })]);
    await site.close();
  });

  it('refuses a site agent that does not trust the certificate, saying why', async () => {
    await expect(agent(coordinator.url).start()).rejects.toThrow(/coordinator refused site hospital-a: websocket error \(self[- ]signed certificate\)/);
  });

  it('refuses plain http and ws clients on the TLS port', async () => {
    const plain = coordinator.url.replace(/^https:/, 'http:');
    await expect(fetch(`${plain}/api/sites`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } })).rejects.toThrow(/fetch failed/);
    await expect(agent(plain).start()).rejects.toThrow(/coordinator refused site hospital-a: websocket error/);
    // Nothing got through: the only site connection on record is the one over wss.
    expect(coordinator.app.get(AuditRepository, { strict: false }).list({ action: 'site.connected' })).toHaveLength(1);
  });
});
