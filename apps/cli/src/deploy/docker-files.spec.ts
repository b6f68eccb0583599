import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { COMMANDS } from '../commands';

/*
 * The Docker files cannot be built here (no Docker engine in CI), so this checks what can be
 * checked without one: docker-compose (Debian's package, v1.29) validates the compose file,
 * and every path, script and fedsynth command the images and services use exists in the
 * repository, with options the command accepts.
 */
const ROOT = path.resolve(__dirname, '../../../..');
const DOCKER = path.join(ROOT, 'docker');
const COMPOSE_FILE = path.join(DOCKER, 'compose.yaml');
const DOCKERFILES = ['Dockerfile.coordinator', 'Dockerfile.site-agent'];

// ---- Dockerfile reading ------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions with their line continuations joined; comments and blank lines dropped. */
function dockerInstructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (pending === undefined && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (pending !== undefined && line.trimStart().startsWith('#')) return;
    const joined = pending ? `${pending.text} ${line.trim()}` : line.trim();
    const start = pending?.line ?? i + 1;
    if (joined.endsWith('\\')) {
      pending = { text: joined.slice(0, -1).trimEnd(), line: start };
      return;
    }
    pending = undefined;
    const [keyword, ...rest] = joined.split(/\s+/);
    result.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: start });
  });
  return result;
}

/** COPY sources taken from the build context (not --from another stage). */
function contextCopySources(instructions: readonly Instruction[]): string[] {
  return instructions
    .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
    .flatMap((i) => {
      const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      return words.slice(0, -1);
    });
}

/** The JSON array of an exec-form instruction (ENTRYPOINT, CMD, HEALTHCHECK ... CMD). */
function execForm(instruction: Instruction): string[] {
  const json = /\[.*\]$/.exec(instruction.args)?.[0];
  if (!json) throw new Error(`line ${instruction.line}: ${instruction.keyword} is not in exec form (a JSON array): ${instruction.args}`);
  return JSON.parse(json) as string[];
}

/** /app/... inside the image → the repository file it comes from (dist/*.js built from src/*.ts). */
function repositoryFileFor(imagePath: string): string {
  const relative = imagePath.replace(/^\/app\//, '');
  const built = /^(.*)\/dist\/(.*)\.js$/.exec(relative);
  return path.join(ROOT, built ? `${built[1]}/src/${built[2]}.ts` : relative);
}

/** .dockerignore patterns as regular expressions over context-relative paths. */
function dockerIgnore(): RegExp[] {
  return readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((pattern) => {
      const body = pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '(?:.*/)?')
        .replace(/\*/g, '[^/]*');
      return new RegExp(`^${body}(?:/.*)?$`);
    });
}

/** A fedsynth command line: the registered command it names, and its options parsed strictly. */
async function checkFedsynthArgs(args: readonly string[], where: string): Promise<void> {
  const entry = [...COMMANDS].sort((a, b) => b.path.length - a.path.length).find((c) => c.path.every((word, i) => args[i] === word));
  if (!entry) throw new Error(`${where}: '${args.join(' ')}' is not a fedsynth command`);
  const command = await entry.load();
  const rest = args.slice(entry.path.length);
  if (rest.includes('--help')) return;
  try {
    parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new Error(`${where}: fedsynth ${entry.path.join(' ')}: ${(error as Error).message}`);
  }
  for (const value of rest.filter((a) => a.startsWith('/app/'))) {
    if (!existsSync(repositoryFileFor(value))) throw new Error(`${where}: ${value} does not come from the repository`);
  }
}

// ---- compose -----------------------------------------------------------------------------

function requireDockerCompose(): void {
  const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('docker-compose is not installed; CI validates docker/compose.yaml with it: apt-get install -y docker-compose');
  }
}

function composeConfig(env: Record<string, string>, envFile: string): ReturnType<typeof spawnSync> {
  const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env };
  return spawnSync('docker-compose', ['--env-file', envFile, '-f', COMPOSE_FILE, 'config'], { encoding: 'utf8', env: childEnv, cwd: ROOT });
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'fedsynth-docker-files-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('Dockerfile reading (examples)', () => {
  const text = ['# comment', 'FROM node:20 AS build', 'COPY a.json b.json ./', 'RUN one \\', '  # inside', ' && two', 'COPY --from=build /app /app', 'CMD ["node", "x.js"]'].join('\n');

  it('joins continuations, skips comments and finds context COPY sources and exec forms', () => {
    const instructions = dockerInstructions(text);
    expect(instructions.map((i) => i.keyword)).toEqual(['FROM', 'COPY', 'RUN', 'COPY', 'CMD']);
    expect(instructions[2]).toEqual({ keyword: 'RUN', args: 'one && two', line: 4 });
    expect(contextCopySources(instructions)).toEqual(['a.json', 'b.json']);
    expect(execForm(instructions[4])).toEqual(['node', 'x.js']);
    expect(() => execForm({ keyword: 'CMD', args: 'node x.js', line: 9 })).toThrow('line 9: CMD is not in exec form');
  });
});

describe('docker/ images', () => {
  const workspaces = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  const ignored = dockerIgnore();

  it.each(DOCKERFILES)('%s: every COPY source exists, is not .dockerignored, and all workspaces are copied', (name) => {
    const instructions = dockerInstructions(readFileSync(path.join(DOCKER, name), 'utf8'));
    const sources = contextCopySources(instructions);
    for (const source of sources) {
      expect(existsSync(path.join(ROOT, source)) ? source : `${source} (missing)`).toBe(source);
      expect(ignored.filter((re) => re.test(source)).map(String)).toEqual([]);
    }
    // npm ci needs every workspace of the lockfile, and tsc -b every referenced project.
    for (const workspace of workspaces) expect(sources).toContain(workspace);
    for (const file of ['package.json', 'package-lock.json', 'tsconfig.base.json', 'tsconfig.build.json']) expect(sources).toContain(file);
    expect(instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args.split(/\s+/)[0])).toEqual(['node:20-bookworm', 'node:20-bookworm-slim']);
    // Non-root, and the allocator setting the wire protocol was measured with.
    expect(instructions.filter((i) => i.keyword === 'USER').map((i) => i.args)).toEqual(['node']);
    const env = instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ');
    expect(env).toContain('MALLOC_MMAP_THRESHOLD_=1073741824');
    expect(env).toContain('MALLOC_TRIM_THRESHOLD_=4294967296');
    expect(env).toContain('FEDSYNTH_BACKEND=tensorflow');
  });

  it.each(DOCKERFILES)('%s: tfjs-node is approved, installed and checked; the entry point, CMD and scripts exist', async (name) => {
    const instructions = dockerInstructions(readFileSync(path.join(DOCKER, name), 'utf8'));
    const run = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(run.some((r) => r.includes("npm pkg set 'allowScripts.@tensorflow/tfjs-node=true'") && r.includes('npm ci'))).toBe(true);
    expect(run.filter((r) => r.includes(`node -e "require('@tensorflow/tfjs-node')"`))).toHaveLength(2);
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(lock.packages['node_modules/@tensorflow/tfjs-node']).toBeDefined();
    for (const link of run.flatMap((r) => [...r.matchAll(/ln -s (\S+)/g)].map((m) => m[1]))) expect(existsSync(repositoryFileFor(link))).toBe(true);

    const entrypoint = execForm(instructions.find((i) => i.keyword === 'ENTRYPOINT')!);
    expect(entrypoint).toEqual(['node', '/app/apps/cli/dist/main.js']);
    expect(existsSync(repositoryFileFor(entrypoint[1]))).toBe(true);
    await checkFedsynthArgs(execForm(instructions.find((i) => i.keyword === 'CMD')!), `${name} CMD`);
    for (const check of instructions.filter((i) => i.keyword === 'HEALTHCHECK')) {
      const [program, script] = execForm(check);
      expect(program).toBe('node');
      expect(contextCopySources(instructions)).toContain(path.relative('/app', script));
      expect(existsSync(repositoryFileFor(script))).toBe(true);
    }
  });
});

describe('docker/compose.yaml', () => {
  it('is valid for docker-compose, and refuses to start without the provisioned admin token', async () => {
    requireDockerCompose();
    const emptyEnv = path.join(work, 'empty.env');
    await writeFile(emptyEnv, '');
    const ok = composeConfig({ FEDSYNTH_ADMIN_TOKEN: 'a-test-admin-token-0123456789' }, emptyEnv);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const missing = composeConfig({}, emptyEnv);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("run 'sh docker/provision.sh' first; it writes docker/.env");
  });

  it('runs a coordinator and three sites on the demo data, every command a fedsynth command with valid options', async () => {
    requireDockerCompose();
    const emptyEnv = path.join(work, 'empty.env');
    await writeFile(emptyEnv, '');
    const yaml = String(composeConfig({ FEDSYNTH_ADMIN_TOKEN: 'a-test-admin-token-0123456789' }, emptyEnv).stdout);
    // docker-compose is Python and brings PyYAML; its normalised output is read back with it.
    const json = execFileSync('python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: yaml, encoding: 'utf8' });
    const config = JSON.parse(json) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
    expect(Object.keys(config.services).sort()).toEqual(['coordinator', 'demo-data', 'site-1', 'site-2', 'site-3']);
    expect(Object.keys(config.volumes).sort()).toEqual(['coordinator-checkpoints', 'coordinator-db', 'site-1-data', 'site-2-data', 'site-3-data']);

    for (const [name, service] of Object.entries(config.services)) {
      expect(service.entrypoint).toBeUndefined(); // the image's node apps/cli/dist/main.js
      expect(existsSync(path.join(service.build!.context, service.build!.dockerfile))).toBe(true);
      expect(DOCKERFILES).toContain(path.basename(service.build!.dockerfile));
      if (service.command) await checkFedsynthArgs(service.command, `compose service ${name}`);
    }
    const { coordinator } = config.services;
    expect(coordinator.volumes).toEqual(['coordinator-db:/var/lib/fedsynth:rw', 'coordinator-checkpoints:/var/lib/fedsynth/checkpoints:rw']);
    for (const n of [1, 2, 3]) {
      const site = config.services[`site-${n}`];
      expect(site.command).toEqual(expect.arrayContaining(['site', '--site', `site-${n}`, '--coordinator', 'http://coordinator:8080', '--input', '/data']));
      expect(site.volumes).toEqual([`site-${n}-data:/data:ro`]);
      expect(site.depends_on).toEqual({ coordinator: { condition: 'service_healthy' }, 'demo-data': { condition: 'service_completed_successfully' } });
      expect(Object.keys(site.environment ?? {})).toEqual(['FEDSYNTH_SITE_TOKEN']);
    }
    expect(config.services['demo-data'].volumes).toEqual(['site-1-data:/sites/site-1:rw', 'site-2-data:/sites/site-2:rw', 'site-3-data:/sites/site-3:rw']);
  });
});

describe('docker/provision.sh', () => {
  it('writes an admin token and a token per registered site to .env, keeps them on a rerun, and re-issues a lost one', async () => {
    // A stand-in for `docker compose`: checks the arguments provision.sh passes and runs the
    // command the coordinator image would run (the built CLI) against a local data folder.
    const dir = path.join(work, 'provision');
    const dataDir = path.join(work, 'provision-data');
    const main = path.join(ROOT, 'apps/cli/dist/main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run 'npm run build' (npm ci does it)`);
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('cp', [path.join(DOCKER, 'provision.sh'), path.join(DOCKER, 'compose.yaml'), dir]);
    const fake = path.join(dir, 'fake-compose.sh');
    await writeFile(
      fake,
      [
        '#!/bin/sh',
        'set -eu',
        '[ "$1 $2 $3 $4 $5 $6 $7" = "-f compose.yaml run --rm -T --no-deps coordinator" ] || { echo "unexpected compose arguments: $*" >&2; exit 64; }',
        'shift 7',
        `FEDSYNTH_DATA_DIR='${dataDir}' exec '${process.execPath}' '${main}' "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const provision = () => execFileSync('sh', [path.join(dir, 'provision.sh')], { env: { ...process.env, COMPOSE: fake }, encoding: 'utf8' });
    const env = () => Object.fromEntries(readFileSync(path.join(dir, '.env'), 'utf8').trim().split('\n').map((l) => l.split('=', 2) as [string, string]));

    expect(provision()).toContain('provision: registered site-3');
    const first = env();
    expect(Object.keys(first)).toEqual(['FEDSYNTH_ADMIN_TOKEN', 'FEDSYNTH_SITE_1_TOKEN', 'FEDSYNTH_SITE_2_TOKEN', 'FEDSYNTH_SITE_3_TOKEN']);
    expect(first.FEDSYNTH_ADMIN_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    for (const n of [1, 2, 3]) expect(first[`FEDSYNTH_SITE_${n}_TOKEN`]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(execFileSync('stat', ['-c', '%a', path.join(dir, '.env')], { encoding: 'utf8' }).trim()).toBe('600');

    expect(provision()).toContain('site-2 already has a token');
    expect(env()).toEqual(first);

    // The volume still knows site-2, but its token was lost: add-site --rotate issues a new one.
    const lines = readFileSync(path.join(dir, '.env'), 'utf8').split('\n').filter((l) => !l.startsWith('FEDSYNTH_SITE_2_TOKEN='));
    await writeFile(path.join(dir, '.env'), lines.join('\n'));
    provision();
    const after = env();
    expect(after.FEDSYNTH_SITE_2_TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(after.FEDSYNTH_SITE_2_TOKEN).not.toBe(first.FEDSYNTH_SITE_2_TOKEN);
    expect(after.FEDSYNTH_ADMIN_TOKEN).toBe(first.FEDSYNTH_ADMIN_TOKEN);
  });
});
