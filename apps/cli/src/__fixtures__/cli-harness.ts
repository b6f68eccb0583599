import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCoordinatorConfig, startCoordinator, type RunningCoordinator } from '@fedsynth/coordinator';
import { runCli } from '../run-cli';
import { captureIo } from '../test-io';

/** Runs `fedsynth ARGV…` in this process and returns its exit code and what it wrote. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/**
 * Sets FEDSYNTH_ADMIN_TOKEN (where the admin commands read it) for the spec file's tests and
 * restores the previous value after them. Call at the top level of a spec file.
 */
export function useAdminTokenEnv(token: string): void {
  const saved = process.env.FEDSYNTH_ADMIN_TOKEN;
  beforeAll(() => {
    process.env.FEDSYNTH_ADMIN_TOKEN = token;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.FEDSYNTH_ADMIN_TOKEN;
    else process.env.FEDSYNTH_ADMIN_TOKEN = saved;
  });
}

export interface TestCoordinator {
  /** Its base URL (http, or https when `env` gives TLS files). */
  readonly url: string;
  /** The temporary folder holding everything of this test's. */
  readonly dir: string;
  /** The coordinator's data folder (`--data-dir` of the admin commands), inside `dir`. */
  readonly dataDir: string;
}

export interface TestCoordinatorOptions {
  readonly adminToken: string;
  /** Names the temporary folder, e.g. 'fedsynth-cli-tls-'. */
  readonly prefix: string;
  /** More settings, made once the folder exists (e.g. a certificate written into it). */
  readonly env?: (dir: string) => Record<string, string>;
}

/**
 * One real coordinator (ephemeral port on 127.0.0.1, temporary folder) for a whole spec
 * file, with FEDSYNTH_ADMIN_TOKEN set to its admin token. Call at the top level.
 */
export function useTestCoordinator(options: TestCoordinatorOptions): TestCoordinator {
  let dir = '';
  let coordinator: RunningCoordinator | undefined;
  useAdminTokenEnv(options.adminToken);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), options.prefix));
    const config = loadCoordinatorConfig({
      FEDSYNTH_ADMIN_TOKEN: options.adminToken,
      FEDSYNTH_HOST: '127.0.0.1',
      FEDSYNTH_PORT: '0',
      FEDSYNTH_DATA_DIR: join(dir, 'data'),
      FEDSYNTH_LOG_LEVEL: 'error',
      ...options.env?.(dir),
    });
    coordinator = await startCoordinator(config, { logger: false });
  });
  afterAll(async () => {
    await coordinator?.close();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });
  return {
    get url() {
      if (coordinator === undefined) throw new Error('useTestCoordinator: the coordinator runs only during the tests');
      return coordinator.url;
    },
    get dir() {
      return dir;
    },
    get dataDir() {
      return join(dir, 'data');
    },
  };
}
