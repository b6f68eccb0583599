import { loadSampler, sampleRecords } from '@fedsynth/gan';
import { SiteAgent } from '@fedsynth/site-agent';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { writeDemoSites } from '../__fixtures__/demo-sites';
import { readStoredZip } from '../__fixtures__/read-stored-zip';
import { loadCoordinatorConfig } from '../config/coordinator-config';
import { addSite, startCoordinator, type RunningCoordinator } from '../start-coordinator';

/**
 * The dashboard in a real browser: Debian's Chromium (never a downloaded one) driven by
 * playwright-core against a real coordinator with two real site agents on the bundled demo
 * data. Screenshots of every page go to artifacts/dashboard/ (ignored by git).
 */

const CHROMIUM = process.env['FEDSYNTH_CHROMIUM'] ?? '/usr/bin/chromium';
const ADMIN_TOKEN = 'dashboard-admin-token-0123456789';
const SITES = ['hospital-a', 'hospital-b'];
const ARTIFACTS = resolve(__dirname, '../../../../artifacts/dashboard');

jest.setTimeout(120_000);

/** The page's DOM as the functions run in it below use it (this file is compiled without the DOM library). */
interface PageDom {
  document: {
    querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
    getElementById(id: string): unknown;
  };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: { childList: boolean; subtree: boolean }): void };
  /** The sites' states the first time the live view showed both sites in one round (set by the observer below). */
  bothSitesSeen?: string[];
}

describe('the dashboard in Chromium (two real site agents, a real federated run)', () => {
  let dir: string;
  let coordinator: RunningCoordinator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const agents: SiteAgent[] = [];
  /** Every URL the page asked for: all must be the coordinator's own (works offline, no CDN). */
  const requested: string[] = [];
  const pageErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium was not found at ${CHROMIUM}. The dashboard's browser test drives the system's Chromium and never downloads one: ` +
          'install it with `apt-get install -y chromium` (Debian/Ubuntu), or point FEDSYNTH_CHROMIUM at a Chromium binary.',
      );
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'fedsynth-dashboard-'));
    const config = loadCoordinatorConfig({
      FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN,
      FEDSYNTH_DATA_DIR: join(dir, 'coordinator'),
      FEDSYNTH_HOST: '127.0.0.1',
      FEDSYNTH_PORT: '0',
      FEDSYNTH_LOG_LEVEL: 'error',
    });
    const tokens = SITES.map((name) => addSite(config, { name: `Hospital ${name.slice(-1).toUpperCase()}`, id: name }).token);
    coordinator = await startCoordinator(config, { logger: false });
    const files = writeDemoSites(join(dir, 'sites'), SITES.length);
    for (const [i, siteId] of SITES.entries()) {
      agents.push(
        new SiteAgent({
          url: coordinator.url,
          siteId,
          token: tokens[i],
          // 50 demo patients per site: 30 train, 20 held out (the quality summary's minimum).
          data: { read: { format: 'long', input: files[i], rollup: true }, holdoutFraction: 0.4, splitSeed: 1, minCodeCount: 2 },
          progressIntervalMs: 50,
        }),
      );
    }
    await Promise.all(agents.map((a) => a.start()));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('request', (request) => requested.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(agents.map((a) => a.close()));
    await coordinator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong admin token: 401, an error on the form, no session', async () => {
    await page.goto(`${coordinator.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await page.fill('#token', 'not-the-admin-token-at-all');
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/dashboard/login') && r.request().method() === 'POST'), page.click('button[type=submit]')]);
    expect(response.status()).toBe(401);
    await expect(page.textContent('#login-error')).resolves.toMatch(/not the admin token/);
    expect((await context.cookies()).find((c) => c.name === 'fedsynth_session')).toBeUndefined();
    await shot('login-refused');
    // Still no way in: the page and the API send the browser back or refuse.
    await page.goto(`${coordinator.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    expect((await page.request.get(`${coordinator.url}/api/runs`)).status()).toBe(401);
  });

  it('logs in, creates and starts a run, watches its rounds arrive on the charts, and downloads a generator that loads', async () => {
    await page.fill('#token', ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${coordinator.url}/dashboard`), page.click('button[type=submit]')]);
    const cookie = (await context.cookies()).find((c) => c.name === 'fedsynth_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    await page.waitForSelector('#connection.badge-ok');

    // The form refuses what the API refuses, each problem under its field.
    await page.click('#nav a[data-page=runs]');
    await page.fill('input[name=minSites]', '0');
    await page.fill('input[name=localEpochs]', '0');
    await page.fill('input[name=ganRounds]', 'three');
    await page.click('#create-run');
    await page.waitForSelector('[data-error-for=minSites]:not(:empty)');
    await expect(page.textContent('[data-error-for=minSites]')).resolves.toMatch(/minSites must be an integer ≥ 1/);
    await expect(page.textContent('[data-error-for=localEpochs]')).resolves.toMatch(/train\.localEpochs must be an integer ≥ 1/);
    await expect(page.textContent('[data-error-for=ganRounds]')).resolves.toMatch(/rounds must be an integer/);
    await shot('runs-form-errors');

    // A tiny plan: 1 autoencoder + 3 GAN rounds of 2 local steps, evaluated after every GAN round.
    const fields: Record<string, string> = {
      autoencoderRounds: '1',
      ganRounds: '3',
      localEpochs: '1',
      localSteps: '2',
      minSites: '2',
      deadlineSeconds: '60',
      evaluateEvery: '1',
      batchSize: '16',
      minCodeCount: '2',
      latentDim: '8',
      generatorBlocks: '1',
      discriminatorDims: '16, 8',
    };
    await page.click('#run-form details summary');
    for (const [name, value] of Object.entries(fields)) await page.fill(`input[name=${name}]`, value);
    // The live view renders while hidden. Watch it from before the run starts: a round of this tiny
    // plan can open and close in a fraction of a second, before this test could look for it.
    await page.evaluate(() => {
      const win = globalThis as unknown as PageDom;
      new win.MutationObserver(() => {
        const rows = Array.from(win.document.querySelectorAll('[data-site-progress]'));
        if (!win.bothSitesSeen && rows.length === 2) win.bothSitesSeen = rows.map((r) => r.getAttribute('data-state') ?? '');
      }).observe(win.document.getElementById('live-sites'), { childList: true, subtree: true });
    });
    await page.click('#create-run');
    await page.waitForSelector('#notice:has-text("created and started")');

    // The live view: rounds appear on the charts as they finish.
    await page.click('#nav a[data-page=live]');
    // The run trains 2 minibatches a round at each site instead of whole epochs, and says so.
    await page.waitForSelector('text=2 local steps', { timeout: 30_000 });
    // Each site's place in the round in progress (waiting, training with its heartbeat's progress, evaluating, accepted).
    // Recorded in the page at the moment both rows showed.
    const states = (await (
      await page.waitForFunction(() => (globalThis as unknown as PageDom).bothSitesSeen, undefined, { timeout: 60_000 })
    ).jsonValue()) as string[];
    expect(states).toHaveLength(2);
    await shot('live-round');
    for (const state of states) expect(['waiting', 'training', 'evaluating', 'trained', 'accepted']).toContain(state);
    await page.waitForSelector('svg[data-chart=gan-loss] circle.point[data-series=d] >> nth=1', { timeout: 60_000 });
    await shot('live');
    await page.waitForSelector('#live-stage:has-text("completed")', { timeout: 60_000 });
    await page.waitForFunction(() => (globalThis as unknown as PageDom).document.querySelectorAll('svg[data-chart=prevalence-r] circle.point').length >= 3, undefined, { timeout: 30_000 });
    expect(await page.locator('svg[data-chart=ae-loss] circle.point').count()).toBe(1);
    expect(await page.locator('svg[data-chart=gan-loss] circle.point[data-series=d]').count()).toBe(3);
    expect(await page.locator('svg[data-chart=gan-loss] circle.point[data-series=g]').count()).toBe(3);
    await expect(page.textContent('#live-round')).resolves.toBe('4 of 4');
    await shot('live-completed');

    // Quality report of the latest evaluation (round 4).
    await page.click('#nav a[data-page=quality]');
    await page.waitForSelector('#quality-table');
    await expect(page.textContent('#quality-report h2')).resolves.toMatch(/after round 4/);
    const r = await page.textContent('[data-metric="synthetic.fidelity.prevalence.pearson"] .value');
    expect(Number(r)).toBeGreaterThan(-1);
    expect(Number(r)).toBeLessThanOrEqual(1);
    await shot('quality');

    // Sites: both connected, 4 rounds each, their last progress heartbeat at 100 %.
    await page.click('#nav a[data-page=sites]');
    for (const siteId of SITES) {
      const row = page.locator(`#sites tr[data-site="${siteId}"]`);
      await expect(row.locator('td').nth(2).textContent()).resolves.toBe('connected');
      await expect(row.locator('td').nth(6).textContent()).resolves.toBe('4');
      await expect(row.locator('td').nth(7).textContent()).resolves.toMatch(/100%/);
    }
    await shot('sites');

    // Runs: every completed GAN round offers its generator; take the first one, not the latest.
    await page.click('#nav a[data-page=runs]');
    await page.waitForSelector('#rounds a[data-download-round]');
    expect(await page.locator('#rounds a[data-download-round]').count()).toBe(3);
    await shot('runs');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#rounds a[data-download-round="1"]')]);
    const zipPath = join(ARTIFACTS, download.suggestedFilename());
    await download.saveAs(zipPath);
    expect(download.suggestedFilename()).toMatch(/^fedsynth-generator-[0-9a-f]{8}-round-2\.zip$/);
    const files = readStoredZip(readFileSync(zipPath));
    const folder = join(dir, 'pulled');
    for (const [name, bytes] of files) {
      mkdirSync(dirname(join(folder, name)), { recursive: true });
      writeFileSync(join(folder, name), bytes);
    }
    const modelDir = join(folder, download.suggestedFilename().replace(/\.zip$/, ''));
    expect([...files.keys()].map((n) => n.split('/')[1]).sort()).toEqual(['fedsynth.json', 'model.json', 'state.bin', 'weights.bin']);
    const loaded = await loadSampler(modelDir);
    try {
      expect((loaded.manifest.metrics as { federation: { round: number } }).federation.round).toBe(1);
      const synthetic = sampleRecords(loaded.sampler, { count: 5, seed: 3 });
      expect(synthetic.rows).toBe(5);
      expect(synthetic.cols).toBe(loaded.vocabulary.codes.length);
    } finally {
      loaded.dispose();
    }

    // The REST API serves the same round's files (?round=, 0-based as stored).
    const runId = await page.locator('#runs tr[data-run]').first().getAttribute('data-run');
    const manifest = await page.request.get(`${coordinator.url}/api/runs/${runId}/generator/fedsynth.json?round=1`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await manifest.json()) as { metrics: { federation: { round: number } } }).metrics.federation.round).toBe(1);
    expect((await manifest.body()).equals(files.get(`${download.suggestedFilename().replace(/\.zip$/, '')}/fedsynth.json`)!)).toBe(true);

    // The audit log, filtered.
    await page.click('#nav a[data-page=audit]');
    await page.waitForSelector('#audit tr[data-audit-id]');
    await page.fill('#audit-filter input[name=action]', 'run.');
    await page.click('#audit-filter button[type=submit]');
    await page.waitForFunction(() => Array.from((globalThis as unknown as PageDom).document.querySelectorAll('#audit tr[data-action]')).every((row) => row.getAttribute('data-action')!.startsWith('run.')));
    const actions = await page.locator('#audit tr[data-action]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')));
    expect(actions).toEqual(['run.completed', 'run.started', 'run.created']);
    await page.fill('#audit-filter input[name=action]', 'dashboard.login');
    await page.click('#audit-filter button[type=submit]');
    await page.waitForFunction(() => (globalThis as unknown as PageDom).document.querySelectorAll('#audit tr[data-action]').length === 2);
    await shot('audit');

    expect(pageErrors).toEqual([]);
    const foreign = requested.filter((url) => !url.startsWith(coordinator.url) && !url.startsWith('data:'));
    expect(foreign).toEqual([]);
  });

  it('revokes a site from the sites page and logs out', async () => {
    await page.click('#nav a[data-page=sites]');
    await page.click('#sites tr[data-site="hospital-b"] button[data-action=revoke]');
    await page.waitForSelector('#sites tr[data-site="hospital-b"] .badge-bad');
    await expect(page.textContent('#sites tr[data-site="hospital-b"] td:nth-child(3)')).resolves.toBe('revoked');
    await shot('sites-revoked');

    await Promise.all([page.waitForURL(`${coordinator.url}/dashboard/login`), page.click('#logout')]);
    expect((await context.cookies()).find((c) => c.name === 'fedsynth_session')).toBeUndefined();
    await page.goto(`${coordinator.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
  });
});
