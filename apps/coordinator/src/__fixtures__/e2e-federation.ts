import { SiteAgent, type SiteAgentOptions } from '@fedsynth/site-agent';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCoordinatorConfig, type CoordinatorConfig, type Environment } from '../config/coordinator-config';
import { addSite, startCoordinator, type RunningCoordinator } from '../start-coordinator';
import { writeDemoSites } from './demo-sites';

/** The admin bearer token of every end-to-end coordinator. */
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789';

/**
 * Headers for an admin request. One connection per request: the site agents train in this
 * process, and training (DP steps most of all) holds the event loop for a while; a kept-alive
 * socket whose idle timer expired meanwhile is closed by the server just as the next request
 * arrives on it (ECONNRESET).
 */
export const E2E_ADMIN_HEADERS = { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, connection: 'close' } as const;

/**
 * POST /api/runs body of a tiny medGAN run with every site required (the sites train 1 local
 * epoch of batch 16 unless `train` says otherwise): what the end-to-end runs share.
 */
export function tinyRunBody(input: { phases: ReadonlyArray<{ phase: 'autoencoder' | 'gan'; rounds: number }>; minSites: number; strategy: object; train?: object }): object {
  return {
    plan: { phases: input.phases, minSites: input.minSites, roundDeadlineMs: 60_000, maxRoundRetries: 0, evaluateEvery: 0 },
    options: {
      modelFamily: 'medgan',
      model: { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16, 8] },
      strategy: input.strategy,
      train: { localEpochs: 1, batchSize: 16, learningRate: 1e-3, seed: 7, ...input.train },
      vocabulary: { codeLevel: 'category', minCodeCount: 2 },
    },
  };
}

export interface E2eFederationOptions {
  /** Prefix of the temporary folder that holds the coordinator's data and the sites' files. */
  readonly prefix: string;
  /** Sites registered before the coordinator starts, each with its name as its id. */
  readonly sites: readonly string[];
  /** More configuration variables; they win over the defaults set here. */
  readonly env?: Environment;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface E2eFederation {
  readonly dir: string;
  readonly config: CoordinatorConfig;
  readonly coordinator: RunningCoordinator;
  /** Each registered site's token, by site id. */
  readonly tokens: ReadonlyMap<string, string>;
  /** Each site's share of the demo diagnoses (a long CSV: patient,code), in the order of `sites`. */
  readonly files: readonly string[];
  /** An admin REST call (JSON in and out). */
  api(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** A site agent (not started) on the site's demo file; `options` win. Closed by closeAgents() and close(). */
  agent(siteId: string, options?: Partial<SiteAgentOptions>): SiteAgent;
  /** Closes every agent made by agent() so far. */
  closeAgents(): Promise<void>;
  /** POST /api/runs/:id/start, expected to answer 200. */
  startRun(runId: string): Promise<void>;
  /**
   * Polls GET /api/runs/:id every 100 ms until `done` (by default: the run is no longer
   * running) and returns that view; throws after `timeoutMs`.
   */
  waitForRunEnd(runId: string, timeoutMs: number, done?: (detail: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** startRun, then waitForRunEnd. */
  runToEnd(runId: string, timeoutMs: number): Promise<Record<string, unknown>>;
  /** Closes the agents and the coordinator and removes the folder. */
  close(): Promise<void>;
}

const runStatus = (detail: Record<string, unknown>) => (detail['run'] as { status: string } | undefined)?.status;

/**
 * A real coordinator on a free local port with `sites` registered, a temporary folder for its
 * data, and the bundled demo diagnoses split into one file a site: the set-up of the
 * end-to-end tests. Call in beforeAll; call close() in afterAll.
 */
export async function startE2eFederation(options: E2eFederationOptions): Promise<E2eFederation> {
  const dir = mkdtempSync(join(tmpdir(), options.prefix));
  let config: CoordinatorConfig;
  let tokens: Map<string, string>;
  let files: string[];
  let coordinator: RunningCoordinator;
  try {
    config = loadCoordinatorConfig({
      FEDSYNTH_ADMIN_TOKEN: E2E_ADMIN_TOKEN,
      FEDSYNTH_DATA_DIR: join(dir, 'coordinator'),
      FEDSYNTH_HOST: '127.0.0.1',
      FEDSYNTH_PORT: '0',
      FEDSYNTH_LOG_LEVEL: 'error',
      ...options.env,
    });
    tokens = new Map(options.sites.map((name) => [name, addSite(config, { name, id: name }).token]));
    files = writeDemoSites(join(dir, 'sites'), options.sites.length);
    coordinator = await startCoordinator(config, { logger: false });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const agents: SiteAgent[] = [];
  const api = async (method: string, path: string, body?: unknown): Promise<ApiResponse> => {
    const response = await fetch(coordinator.url + path, {
      method,
      headers: { ...E2E_ADMIN_HEADERS, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const startRun = async (runId: string) => {
    expect((await api('POST', `/api/runs/${runId}/start`)).status).toBe(200);
  };
  const waitForRunEnd = async (runId: string, timeoutMs: number, done = (detail: Record<string, unknown>) => runStatus(detail) !== 'running') => {
    for (const started = Date.now(); ; ) {
      const detail = (await api('GET', `/api/runs/${runId}`)).body;
      if (done(detail)) return detail;
      if (Date.now() - started >= timeoutMs) throw new Error(`run ${runId} did not end in ${timeoutMs / 1000} s (status ${runStatus(detail)})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const closeAgents = async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
  };

  return {
    dir,
    config,
    coordinator,
    tokens,
    files,
    api,
    agent(siteId, agentOptions = {}) {
      const i = options.sites.indexOf(siteId);
      if (i < 0) throw new Error(`site ${siteId} is not one of this federation's sites (${options.sites.join(', ')})`);
      const agent = new SiteAgent({
        url: coordinator.url,
        siteId,
        token: tokens.get(siteId)!,
        data: { read: { format: 'long', input: files[i]!, rollup: true }, holdoutFraction: 0.2, splitSeed: 1, minCodeCount: 2 },
        ...agentOptions,
      });
      agents.push(agent);
      return agent;
    },
    closeAgents,
    startRun,
    waitForRunEnd,
    async runToEnd(runId, timeoutMs) {
      await startRun(runId);
      return waitForRunEnd(runId, timeoutMs);
    },
    async close() {
      await closeAgents();
      await coordinator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
