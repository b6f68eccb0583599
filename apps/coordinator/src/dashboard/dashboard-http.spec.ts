import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { loadCoordinatorConfig } from '../config/coordinator-config';
import { addSite, startCoordinator, type RunningCoordinator } from '../start-coordinator';
import { CSRF_HEADER } from './admin-sessions';
import { DASHBOARD_NAMESPACE } from './dashboard.gateway';

const ADMIN_TOKEN = 'dashboard-http-admin-token-0123';

/** The dashboard's HTTP and Socket.IO doors, on a real coordinator (no browser, no site agents). */
describe('dashboard login, session, CSRF and live-view authentication', () => {
  let dir: string;
  let coordinator: RunningCoordinator;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedsynth-dashboard-http-'));
    const config = loadCoordinatorConfig({
      FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN,
      FEDSYNTH_DATA_DIR: dir,
      FEDSYNTH_HOST: '127.0.0.1',
      FEDSYNTH_PORT: '0',
      FEDSYNTH_LOG_LEVEL: 'error',
    });
    addSite(config, { name: 'Hospital A', id: 'hospital-a' });
    coordinator = await startCoordinator(config, { logger: false });
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await coordinator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (path: string) => coordinator.url + path;
  const form = (fields: Record<string, string>) => ({ method: 'POST', redirect: 'manual' as const, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

  async function login(): Promise<{ cookie: string; csrf: string }> {
    const response = await fetch(url('/dashboard/login'), form({ token: ADMIN_TOKEN }));
    expect(response.status).toBe(303);
    const cookie = response.headers.get('set-cookie')!.split(';')[0];
    const page = await (await fetch(url('/dashboard'), { headers: { cookie } })).text();
    const csrf = /<meta name="fedsynth-csrf" content="([^"]+)">/.exec(page)![1];
    return { cookie, csrf };
  }

  function connect(options: { auth?: Record<string, string>; headers?: Record<string, string> }): Socket {
    const socket = io(url(DASHBOARD_NAMESPACE), { auth: options.auth ?? {}, extraHeaders: options.headers ?? {}, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    return socket;
  }

  const refusal = (socket: Socket) => new Promise<string>((resolve, reject) => {
    socket.on('connect_error', (error) => resolve(error.message));
    socket.on('connect', () => reject(new Error('connected, expected a refusal')));
  });

  it('sends a visitor without a session to the login form, served with a strict content security policy', async () => {
    const page = await fetch(url('/dashboard'), { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/dashboard/login');
    const loginPage = await fetch(url('/dashboard/login'));
    expect(loginPage.status).toBe(200);
    expect(loginPage.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
    expect(await loginPage.text()).toContain('<form method="post" action="/dashboard/login"');
  });

  it('refuses a wrong or empty token with 401 and no cookie (both audited, see the live-view test)', async () => {
    for (const token of ['wrong-token-wrong-token', '']) {
      const response = await fetch(url('/dashboard/login'), form({ token }));
      expect(response.status).toBe(401);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(await response.text()).toContain('That is not the admin token');
    }
  });

  it('sets an HttpOnly, SameSite=Strict session cookie for the right token', async () => {
    const response = await fetch(url('/dashboard/login'), form({ token: ADMIN_TOKEN }));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/dashboard');
    expect(response.headers.get('set-cookie')).toMatch(/^fedsynth_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  });

  it('lets a session read the API, but change nothing without its CSRF token', async () => {
    const { cookie, csrf } = await login();
    const plan = { phases: [{ phase: 'gan', rounds: 1 }] };
    const post = (headers: Record<string, string>) =>
      fetch(url('/api/runs'), { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ plan }) });

    expect((await fetch(url('/api/sites'), { headers: { cookie } })).status).toBe(200);
    const missing = await post({});
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { message: string }).message).toBe(`a dashboard session must send its ${CSRF_HEADER} header with POST requests`);
    expect((await post({ [CSRF_HEADER]: 'not-the-token' })).status).toBe(403);
    expect((await post({ [CSRF_HEADER]: csrf })).status).toBe(201);
    // A wrong bearer token is refused even beside a valid session; the right one needs no session.
    expect((await fetch(url('/api/runs'), { headers: { cookie, authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(url('/api/runs'), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
  });

  it("creates runs from the form with the API's checks, listing plan and options problems by field", async () => {
    const { cookie, csrf } = await login();
    const create = (body: Record<string, string>) =>
      fetch(url('/dashboard/api/runs'), { method: 'POST', headers: { cookie, [CSRF_HEADER]: csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const bad = await create({ ganRounds: '2', minSites: '0', deadlineSeconds: 'soon', localEpochs: '0', modelFamily: 'gpt' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { message: string; fields: Record<string, string[]> };
    expect(body.fields).toEqual({
      minSites: ['minSites must be an integer ≥ 1'],
      deadlineSeconds: ['roundDeadlineMs must be an integer ≥ 1'],
      modelFamily: ['modelFamily must be one of seed, medgan, wgan-gp'],
      localEpochs: ['train.localEpochs must be an integer ≥ 1'],
    });
    expect(body.message).toMatch(/^the run was not created: minSites/);

    const good = await create({ autoencoderRounds: '1', ganRounds: '2', localEpochs: '2', minSites: '1', deadlineSeconds: '30', evaluateEvery: '1' });
    expect(good.status).toBe(201);
    const run = (await good.json()) as { id: string; plan: Record<string, unknown>; options: { train: { localEpochs: number } } };
    expect(run.plan).toMatchObject({ phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 2 }], minSites: 1, roundDeadlineMs: 30_000, evaluateEvery: 1 });
    expect(run.options.train.localEpochs).toBe(2);

    const unauthenticated = await fetch(url('/dashboard/api/runs'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unauthenticated.status).toBe(401);
  });

  it('creates a run on the fixed vocabulary pasted in the form, and lists its bad codes under that field', async () => {
    const { cookie, csrf } = await login();
    const create = (body: Record<string, string>) =>
      fetch(url('/dashboard/api/runs'), { method: 'POST', headers: { cookie, [CSRF_HEADER]: csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const good = await create({ ganRounds: '1', fixedVocabulary: '# fedsynth vocabulary: 3 codes\n428\n401\nV45\n' });
    expect(good.status).toBe(201);
    expect(((await good.json()) as { options: { vocabulary: unknown } }).options.vocabulary).toEqual({ codeLevel: 'category', minCodeCount: 5, fixed: ['401', '428', 'V45'] });

    const bad = await create({ ganRounds: '1', fixedVocabulary: '401\n4019' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { fields: Record<string, string[]> }).fields).toEqual({
      fixedVocabulary: [expect.stringMatching(/^vocabulary\.fixed\[1\] "4019" is not a category code/)],
    });
  });

  it('answers a generator download before any GAN round with 404, a bad round with 400, no session with 401', async () => {
    const { cookie } = await login();
    const runs = (await (await fetch(url('/api/runs'), { headers: { cookie } })).json()) as { id: string }[];
    const runId = runs[0].id;
    const zip = await fetch(url(`/dashboard/runs/${runId}/rounds/1/generator.zip`), { headers: { cookie } });
    expect(zip.status).toBe(404);
    expect(((await zip.json()) as { message: string }).message).toBe(`run ${runId} has no completed GAN round 1 (completed GAN rounds: none)`);
    expect((await fetch(url(`/dashboard/runs/${runId}/rounds/one/generator.zip`), { headers: { cookie } })).status).toBe(400);
    expect((await fetch(url(`/dashboard/runs/${runId}/rounds/1/generator.zip`))).status).toBe(401);
    const rest = await fetch(url(`/api/runs/${runId}/generator/model.json?round=x`), { headers: { cookie } });
    expect(rest.status).toBe(400);
    expect(((await rest.json()) as { message: string }).message).toBe('round must be a round number (0, 1, 2, ...), got "x"');
  });

  it('serves only its own assets, the Socket.IO client among them', async () => {
    const script = await fetch(url('/dashboard/assets/dashboard.js'));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const client = await fetch(url('/dashboard/assets/socket.io.min.js'));
    expect(client.status).toBe(200);
    expect((await client.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(url('/dashboard/assets/index.html'))).status).toBe(404);
    expect((await fetch(url('/dashboard/assets/nope.js'))).status).toBe(404);
    expect((await fetch(url('/dashboard/assets/..%2F..%2Fpackage.json'))).status).toBe(404);
  });

  it('refuses the live view without a session or with a wrong token, or a session cookie from another origin', async () => {
    await expect(refusal(connect({}))).resolves.toMatch(/^UNAUTHORIZED: log in to the dashboard first/);
    await expect(refusal(connect({ auth: { token: 'wrong' } }))).resolves.toBe('UNAUTHORIZED: the admin token is wrong');
    const { cookie } = await login();
    await expect(refusal(connect({ headers: { cookie, origin: 'http://evil.example' } }))).resolves.toMatch(/only valid from the dashboard page itself/);
  });

  it('pushes the overview to a session from this origin, answers audit queries, and drops the socket at logout', async () => {
    const { cookie, csrf } = await login();
    const socket = connect({ headers: { cookie, origin: coordinator.url } });
    const overview = await new Promise<{ sites: { id: string; connected: boolean }[]; runs: unknown[] }>((resolve) => socket.on('overview', resolve));
    expect(overview.sites).toMatchObject([{ id: 'hospital-a', connected: false }]);
    expect(overview.runs.length).toBeGreaterThanOrEqual(1);

    const entries = (await socket.emitWithAck('audit', { action: 'dashboard.login', limit: 3 })) as { action: string }[];
    expect(entries.map((e) => e.action)).toEqual(['dashboard.login', 'dashboard.login', 'dashboard.login']);
    const refused = (await socket.emitWithAck('audit', { action: 'dashboard.login.refused' })) as { actor: string }[];
    expect(refused).toHaveLength(2);
    expect(refused[0].actor).toBe('anonymous');

    // Logging out without the page's CSRF token does not end the session...
    await fetch(url('/dashboard/logout'), { ...form({}), headers: { ...form({}).headers, cookie } });
    expect((await fetch(url('/api/runs'), { headers: { cookie } })).status).toBe(200);
    // ...with it, the session ends: the API refuses the cookie and the live socket is closed.
    const closed = new Promise<string>((resolve) => socket.on('disconnect', resolve));
    const logout = await fetch(url('/dashboard/logout'), { ...form({ csrf }), headers: { ...form({}).headers, cookie } });
    expect(logout.status).toBe(303);
    expect(logout.headers.get('set-cookie')).toMatch(/^fedsynth_session=; .*Max-Age=0/);
    expect((await fetch(url('/api/runs'), { headers: { cookie } })).status).toBe(401);
    await expect(closed).resolves.toBe('io server disconnect');
  });

  it('accepts the admin token as the socket auth (scripts)', async () => {
    const socket = connect({ auth: { token: ADMIN_TOKEN } });
    const run = await new Promise<unknown>((resolve) => socket.on('run', resolve));
    expect(run).toMatchObject({ status: 'created', totalRounds: expect.any(Number) });
  });
});
