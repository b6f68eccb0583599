import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built `fedsynth` command (npm run build; CI builds it in npm ci's prepare step). */
export const CLI_MAIN = resolve(__dirname, '../../../cli/dist/main.js');

/** Fails with what to do when the CLI has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run 'npm run build' first (the fault suite runs the real fedsynth command)`);
}

/**
 * One `node apps/cli/dist/main.js ...` process, its stdout and stderr kept together in
 * arrival order so a test can wait for a line and show everything when something fails.
 */
export class CliProcess {
  private text = '';
  private readonly watchers: Array<{ pattern: RegExp; resolve: (match: RegExpMatchArray) => void }> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
      for (const watcher of [...this.watchers]) {
        const match = this.text.match(watcher.pattern);
        if (match) {
          this.watchers.splice(this.watchers.indexOf(watcher), 1);
          watcher.resolve(match);
        }
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  }

  static start(name: string, args: readonly string[], env: Record<string, string> = {}): CliProcess {
    requireBuiltCli();
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new CliProcess(name, child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process wrote so far. */
  get output(): string {
    return this.text;
  }

  /** Resolves with the first match of `pattern` in the output (already written, or to come). */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const already = this.text.match(pattern);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.watchers.splice(this.watchers.indexOf(watcher), 1);
        reject(new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms; output so far:\n${this.text}`));
      }, timeoutMs);
      const watcher = {
        pattern,
        resolve: (match: RegExpMatchArray) => {
          clearTimeout(timer);
          resolve(match);
        },
      };
      this.watchers.push(watcher);
      this.exited.then(({ code, signal }) => {
        if (this.watchers.includes(watcher)) {
          clearTimeout(timer);
          this.watchers.splice(this.watchers.indexOf(watcher), 1);
          reject(new Error(`${this.name} exited (${signal ?? code}) before ${pattern}; output:\n${this.text}`));
        }
      });
    });
  }

  /** Sends a signal and waits for the exit (SIGKILL: no cleanup of any kind, as a crash or power cut). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.child.kill(signal);
    await this.exited;
  }
}

/** `fedsynth coordinator` on a free (or given) port; resolves once it prints its URL. */
export async function startCoordinatorProcess(input: { dataDir: string; port?: number; env: Record<string, string>; name?: string }): Promise<{ process: CliProcess; url: string }> {
  const child = CliProcess.start(input.name ?? 'coordinator', ['coordinator', '--port', String(input.port ?? 0), '--data-dir', input.dataDir], {
    FEDSYNTH_HOST: '127.0.0.1',
    FEDSYNTH_LOG_LEVEL: 'warn',
    ...input.env,
  });
  const [, url] = await child.waitFor(/listening at (https?:\/\/\S+)/, 30_000);
  return { process: child, url: url! };
}

/**
 * Runs a scenario; when it fails, the processes' output is appended to the error, since a
 * failure between processes is rarely understood from the assertion alone.
 */
export async function showingOutputOnFailure(processes: () => readonly CliProcess[], scenario: () => Promise<void>): Promise<void> {
  try {
    await scenario();
  } catch (error) {
    const outputs = processes().map((p) => `--- ${p.name} (pid ${p.pid})\n${p.output}`);
    if (error instanceof Error) error.message += `\n${outputs.join('\n')}`;
    throw error;
  }
}
