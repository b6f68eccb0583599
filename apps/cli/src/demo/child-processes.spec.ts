import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildProcesses } from './child-processes';

// Real child processes (node -e SCRIPT), as the demo runs real fedsynth commands.
let logDir: string;
beforeAll(async () => {
  logDir = await mkdtemp(path.join(tmpdir(), 'fedsynth-demo-children-'));
});
afterAll(async () => {
  await rm(logDir, { recursive: true, force: true });
});

function children(lines: string[]) {
  return new ChildProcesses({ command: process.execPath, baseArgs: ['-e'], write: (line) => lines.push(line), logDir });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ChildProcesses', () => {
  it('prefixes every output line with the child name and logs it to NAME.log', async () => {
    const lines: string[] = [];
    const out = await children(lines).run('site-1', ['process.stdout.write("round 1\\nround "); setTimeout(() => { process.stdout.write("2\\n"); console.error("done"); }, 50)']);
    expect(out).toBe('');
    expect(lines).toEqual(['[site-1] round 1', '[site-1] round 2', '[site-1] done']);
    expect(await readFile(path.join(logDir, 'site-1.log'), 'utf8')).toBe('round 1\nround 2\ndone\n');
  });

  it('captures stdout without showing or logging it (a secret), and fails a non-zero exit by name', async () => {
    const lines: string[] = [];
    const procs = children(lines);
    const secret = await procs.run('add-site', ['console.log("token abc"); console.error("registered")'], { stdout: 'capture' });
    expect(secret).toBe('token abc\n');
    expect(lines).toEqual(['[add-site] registered']);
    expect(await readFile(path.join(logDir, 'add-site.log'), 'utf8')).not.toContain('abc');
    await expect(procs.run('sample', ['process.exit(3)'])).rejects.toThrow('sample exited with code 3');
  });

  it('waits for a readiness line, and rejects when the child exits before printing it', async () => {
    const procs = children([]);
    const server = procs.start('coordinator', ['setTimeout(() => console.log("listening at http://127.0.0.1:1234"), 100); setInterval(() => {}, 1000)'], { service: true });
    const match = await server.waitForLine(/listening at (\S+)/, 5000);
    expect(match[1]).toBe('http://127.0.0.1:1234');
    const early = procs.start('broken', ['console.error("bad config"); process.exit(2)']);
    await expect(early.waitForLine(/listening at/, 5000)).rejects.toThrow('broken exited with code 2 before it was ready');
    await procs.stopAll();
  });

  it('fails the demo when a service exits on its own, but not when stopAll stopped it', async () => {
    const procs = children([]);
    procs.start('site-2', ['setTimeout(() => process.exit(1), 100)'], { service: true });
    await expect(procs.serviceFailure).rejects.toThrow('site-2 stopped unexpectedly: it exited with code 1');

    const calm = children([]);
    const service = calm.start('site-3', ['setInterval(() => {}, 1000)'], { service: true });
    let failed = false;
    calm.serviceFailure.catch(() => (failed = true));
    await calm.stopAll();
    expect((await service.exited).signal).toBe('SIGTERM');
    await new Promise((r) => setTimeout(r, 20));
    expect(failed).toBe(false);
  });

  it('stops whole process groups: a grandchild goes too, and SIGTERM-deaf children are killed after the grace time', async () => {
    const lines: string[] = [];
    const procs = children(lines);
    // A child that starts a grandchild (printing its pid) and ignores SIGTERM.
    const script = [
      'process.on("SIGTERM", () => console.log("ignoring SIGTERM"));',
      'const { spawn } = require("node:child_process");',
      'const g = spawn(process.execPath, ["-e", "process.on(\\"SIGTERM\\", () => {}); setInterval(() => {}, 1000)"], { stdio: "ignore" });',
      'console.log("grandchild " + g.pid);',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const deaf = procs.start('deaf', [script], { service: true });
    const grandchild = Number((await deaf.waitForLine(/grandchild (\d+)/, 5000))[1]);
    expect(alive(grandchild)).toBe(true);
    const started = Date.now();
    await procs.stopAll(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect((await deaf.exited).signal).toBe('SIGKILL');
    expect(lines).toContain('[deaf] ignoring SIGTERM');
    expect(lines).toContain('[demo] deaf did not stop within 0.5 s; killing it');
    for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(grandchild)).toBe(false);
    expect(alive(deaf.pid)).toBe(false);
    expect(() => procs.start('late', ['1'])).toThrow('not starting late: the demo is stopping');
  });
});
