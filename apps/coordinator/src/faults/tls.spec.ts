import { SiteAgent } from '@fedsynth/site-agent';
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemoSites } from '../__fixtures__/demo-sites';
import { makeSelfSignedCert, type SelfSignedCert } from '../__fixtures__/self-signed-cert';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../config/coordinator-config';
import { SiteSessions } from '../sites/site-sessions';
import { addSite, startCoordinator, type RunningCoordinator } from '../start-coordinator';
import { AuditRepository } from '../store/audit.repository';

// A real coordinator serving HTTPS/WSS from certificate files made by openssl for this test,
// a real site agent trusting that certificate, and clients that do not.
const ADMIN_TOKEN = 'tls-admin-token-0123456789';
let dir: string;
let cert: SelfSignedCert;
let config: CoordinatorConfig;
let coordinator: RunningCoordinator;
let token: string;
let csv: string;
const agents: SiteAgent[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fedsynth-tls-'));
  cert = makeSelfSignedCert(dir);
  config = loadCoordinatorConfig({
    FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN,
    FEDSYNTH_DATA_DIR: join(dir, 'data'),
    FEDSYNTH_HOST: '127.0.0.1',
    FEDSYNTH_PORT: '0',
    FEDSYNTH_LOG_LEVEL: 'error',
    FEDSYNTH_TLS_CERT: cert.certPath,
    FEDSYNTH_TLS_KEY: cert.keyPath,
  });
  token = addSite(config, { name: 'Hospital A', id: 'hospital-a' }).token;
  csv = writeDemoSites(join(dir, 'sites'), 1)[0];
  coordinator = await startCoordinator(config, { logger: false });
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await coordinator?.close();
  rmSync(dir, { recursive: true, force: true });
});

function agent(url: string, ca?: string): SiteAgent {
  const created = new SiteAgent({ url, siteId: 'hospital-a', token, ...(ca ? { ca } : {}), data: { read: { format: 'long', input: csv, rollup: true }, minCodeCount: 2 } });
  agents.push(created);
  return created;
}

/** GET over https trusting `ca` (Node 20's fetch takes no CA option). */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, (response) => {
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
    await expect(fetch(`${plain}/api/sites`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).rejects.toThrow(/fetch failed/);
    await expect(agent(plain).start()).rejects.toThrow(/coordinator refused site hospital-a: websocket error/);
    // Nothing got through: the only site connection on record is the one over wss.
    expect(coordinator.app.get(AuditRepository, { strict: false }).list({ action: 'site.connected' })).toHaveLength(1);
  });
});
