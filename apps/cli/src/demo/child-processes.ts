import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { FedsynthError } from '@fedsynth/gan';
import { LineSplitter } from './line-splitter';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartOptions {
  /** Laid over this process's environment (secrets go here, never in argv: `ps` shows argv). */
  env?: Record<string, string>;
  /**
   * 'print' (default): stdout lines are shown with the child's prefix and logged.
   * 'capture': stdout is kept for the caller only (a run id, a token): neither shown nor logged.
   */
  stdout?: 'print' | 'capture';
  /** A service runs until stopped: exiting on its own fails the whole demo (see `serviceFailure`). */
  service?: boolean;
}

export interface RunningChild {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<ChildExit>;
  /** Captured stdout so far ('capture' mode only). */
  capturedStdout(): string;
  /** The first output line (stdout or stderr) matching `pattern`; rejects if the child exits first or time runs out. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
}

export interface ChildProcessesOptions {
  /** The program and leading arguments of every child, e.g. node and the CLI's main.js. */
  command: string;
  baseArgs: readonly string[];
  /** Where prefixed lines go (the terminal). */
  write: (line: string) => void;
  /** Each child's output is also appended to DIR/<name>.log (without the prefix). */
  logDir?: string;
  cwd?: string;
}

interface Child extends RunningChild {
  readonly process: ChildProcess;
  done: boolean;
}

const describeExit = (exit: ChildExit) => (exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`);

/**
 * The demo's child processes: each runs in its own process group (spawned detached), so
 * stopping one also stops anything it started, and a Ctrl-C in the terminal reaches only the
 * demo, which then stops its children in order. Output lines carry the child's name.
 */
export class ChildProcesses {
  private readonly children: Child[] = [];
  private stopping = false;
  private failService!: (error: Error) => void;
  /** Rejects when a service exits before `stopAll`; race the demo's steps against it. */
  readonly serviceFailure: Promise<never>;

  constructor(private readonly options: ChildProcessesOptions) {
    this.serviceFailure = new Promise<never>((_, reject) => {
      this.failService = reject;
    });
    // Only ever observed through a race; never an unhandled rejection on its own.
    this.serviceFailure.catch(() => undefined);
  }

  /** Process ids of every child started, live or not (tests check none is left). */
  get pids(): number[] {
    return this.children.map((c) => c.pid);
  }

  start(name: string, args: readonly string[], options: StartOptions = {}): RunningChild {
    if (this.stopping) throw new FedsynthError(`not starting ${name}: the demo is stopping`, 'DEMO_STOPPING');
    const child = spawn(this.options.command, [...this.options.baseArgs, ...args], {
      cwd: this.options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (child.pid === undefined) throw new FedsynthError(`cannot start ${name} (${this.options.command})`, 'DEMO_SPAWN_FAILED');
    // Appended synchronously, line by line: a step's log is complete when it exits, and steps
    // sharing a name (run create, start, wait) append in order. A few hundred lines; cheap.
    const logFile = this.options.logDir ? path.join(this.options.logDir, `${name}.log`) : undefined;
    const logLine = (line: string) => {
      if (logFile) appendFileSync(logFile, `${line}\n`);
    };
    let captured = '';
    const watchers = new Set<(line: string) => void>();
    const show = (line: string) => {
      this.options.write(`[${name}] ${line}`);
      logLine(line);
      for (const watch of watchers) watch(line);
    };
    const outLines = new LineSplitter(show);
    const errLines = new LineSplitter(show);
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      if (options.stdout === 'capture') captured += chunk;
      else outLines.push(chunk);
    });
    child.stderr!.on('data', (chunk: string) => errLines.push(chunk));

    const exited = new Promise<ChildExit>((resolve) => {
      // 'close' (not 'exit') so every output line has been seen when the caller goes on.
      child.on('close', (code, signal) => {
        outLines.end();
        errLines.end();
        entry.done = true;
        const exit = { code, signal };
        if (options.service && !this.stopping) {
          this.failService(new FedsynthError(`${name} stopped unexpectedly: it ${describeExit(exit)} (see its lines above)`, 'DEMO_CHILD_FAILED'));
        }
        resolve(exit);
      });
      child.on('error', (error) => {
        show(`cannot run: ${error.message}`);
      });
    });

    const entry: Child = {
      name,
      pid: child.pid,
      process: child,
      done: false,
      exited,
      capturedStdout: () => captured,
      waitForLine: (pattern, timeoutMs) =>
        new Promise<RegExpExecArray>((resolve, reject) => {
          const finish = (action: () => void) => {
            clearTimeout(timer);
            watchers.delete(watch);
            action();
          };
          const watch = (line: string) => {
            const match = pattern.exec(line);
            if (match) finish(() => resolve(match));
          };
          const timer = setTimeout(
            () => finish(() => reject(new FedsynthError(`${name} did not print ${pattern} within ${timeoutMs / 1000} s`, 'DEMO_CHILD_TIMEOUT'))),
            timeoutMs,
          );
          watchers.add(watch);
          void exited.then((exit) => finish(() => reject(new FedsynthError(`${name} ${describeExit(exit)} before it was ready`, 'DEMO_CHILD_FAILED'))));
        }),
    };
    this.children.push(entry);
    return entry;
  }

  /** Runs a child to the end; a non-zero exit is an error naming the step. */
  async run(name: string, args: readonly string[], options: Omit<StartOptions, 'service'> = {}): Promise<string> {
    const child = this.start(name, args, options);
    const exit = await child.exited;
    if (exit.code !== 0) {
      throw new FedsynthError(`${name} ${describeExit(exit)}${this.stopping ? ' (stopped)' : ''}`, 'DEMO_STEP_FAILED');
    }
    return child.capturedStdout();
  }

  /**
   * SIGTERM to every live child's group at once (latest first), SIGKILL to any group still
   * there after `graceMs`. Children start nothing after this. Safe to call more than once.
   */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const live = [...this.children].reverse().filter((c) => !c.done);
    for (const child of live) signalGroup(child.pid, 'SIGTERM');
    await Promise.all(
      live.map(async (child) => {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), graceMs);
        });
        const outcome = await Promise.race([child.exited, timedOut]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          this.options.write(`[demo] ${child.name} did not stop within ${graceMs / 1000} s; killing it`);
          signalGroup(child.pid, 'SIGKILL');
          await child.exited;
        }
        // Whatever the leader left behind in its group goes too.
        signalGroup(child.pid, 'SIGKILL');
      }),
    );
  }

  /** Last resort on process exit (synchronous): SIGKILL every group not known to be gone. */
  killAllNow(): void {
    this.stopping = true;
    for (const child of this.children) if (!child.done) signalGroup(child.pid, 'SIGKILL');
  }
}

/**
 * Signals a whole process group. A group that is already gone (ESRCH) is fine; so is EPERM,
 * which only a group whose id was reused by someone else's process can give.
 */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ESRCH' && code !== 'EPERM') throw error;
  }
}
