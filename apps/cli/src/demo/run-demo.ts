import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FedsynthError } from '@fedsynth/gan';
import type { ChildProcesses } from './child-processes';
import { DEMO_HOLDOUT_FRACTION, DEMO_SEED, type DemoSettings } from './demo-settings';
import type { DemoPaths } from './demo-workspace';
import { assignSubjects, poolFolders, subjectIds, writeSubsets } from './mimic-subsets';

/** What a finished demo hands back for its summary. */
export interface DemoResult {
  coordinatorUrl: string;
  dashboardUrl: string;
  runId: string;
  /** "N records with no code" as 'fedsynth sample' reported it (they have no row in the long CSV). */
  emptyRecords: number;
  /** How the data were split: folder name → patients. */
  folders: { name: string; patients: number }[];
}

export interface DemoContext {
  settings: DemoSettings;
  paths: DemoPaths;
  children: ChildProcesses;
  /** The bundled MIMIC-III demo folder (data/mimic-iii-demo). */
  bundledData: string;
  /** A "[demo] ..." progress line. */
  say(line: string): void;
  /** Called once the coordinator listens, so the dashboard URL shows while training runs. */
  onCoordinatorReady?(url: string): void;
}

const READY_TIMEOUT_MS = 120_000;

/**
 * glibc keeps large weight buffers in the heap instead of returning them to the kernel on
 * every free: ~40 % faster encode/decode on the wire (libs/protocol/README.md). The Docker
 * images set the same; a value the user already exported wins.
 */
export const ALLOCATOR_ENV: Record<string, string> = {
  MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '1073741824',
  MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ ?? '4294967296',
};

/**
 * The demo's steps, each a real `fedsynth` process: split the data into site folders,
 * provision the sites, start the coordinator and the site agents, run a short medGAN plan,
 * pull the generator, sample, evaluate. Stopping the processes is the caller's job (it must
 * happen on success, failure and Ctrl-C alike).
 */
export async function runDemo(context: DemoContext): Promise<DemoResult> {
  const { settings, paths, children, say } = context;
  const adminToken = randomBytes(32).toString('base64url');
  await writeFile(paths.adminToken, `${adminToken}\n`, { mode: 0o600 });
  const admin = { env: { FEDSYNTH_ADMIN_TOKEN: adminToken } };

  const folders = await prepareData(context);
  say(`data: ${folders.map((f) => `${f.name} ${f.patients.toLocaleString('en-US')}`).join(', ')} patients, in ${paths.data}`);

  // Provision before the coordinator starts, as a hospital's operator would: each token is
  // printed once by add-site, captured here (never shown or logged) and handed to its site.
  const siteIds = Array.from({ length: settings.sites }, (_, i) => `site-${i + 1}`);
  const tokens = new Map<string, string>();
  for (const id of siteIds) {
    const out = await children.run('add-site', ['coordinator', 'add-site', id, '--data-dir', paths.coordinator], { stdout: 'capture' });
    const token = /^\s*token\s+(\S+)/m.exec(out)?.[1];
    if (!token) throw new FedsynthError(`'fedsynth coordinator add-site ${id}' printed no token`, 'DEMO_STEP_FAILED');
    tokens.set(id, token);
    say(`registered ${id} (its token goes to the site agent only)`);
  }

  const coordinator = children.start('coordinator', ['coordinator', '--port', String(settings.port), '--data-dir', paths.coordinator], {
    service: true,
    // Local only: the demo's coordinator is not reachable from other machines.
    env: { ...admin.env, ...ALLOCATOR_ENV, FEDSYNTH_HOST: '127.0.0.1', FEDSYNTH_LOG_LEVEL: 'warn' },
  });
  const coordinatorUrl = (await coordinator.waitForLine(/listening at (https?:\/\/\S+)/, READY_TIMEOUT_MS))[1];
  const dashboardUrl = `${coordinatorUrl}/dashboard`;
  context.onCoordinatorReady?.(coordinatorUrl);

  const sites = siteIds.map((id, i) =>
    children.start(id, ['site', '--coordinator', coordinatorUrl, '--site', id, '--input', paths.siteData(i + 1), '--rollup', '--min-code-count', String(settings.minCodeCount)], {
      service: true,
      env: { ...ALLOCATOR_ENV, FEDSYNTH_SITE_TOKEN: tokens.get(id)! },
    }),
  );
  await Promise.all(sites.map((site) => site.waitForLine(/site agent running/, READY_TIMEOUT_MS)));
  say(`${sites.length} site agents connected`);

  const plan = [
    '--model', 'medgan',
    '--ae-rounds', String(settings.aeRounds),
    '--gan-rounds', String(settings.ganRounds),
    '--local-epochs', String(settings.localEpochs),
    '--batch-size', String(settings.batchSize),
    '--min-sites', String(settings.sites),
    '--min-code-count', String(settings.minCodeCount),
    '--seed', String(DEMO_SEED),
  ];
  const runId = (await children.run('run', ['run', 'create', '--coordinator', coordinatorUrl, ...plan], { stdout: 'capture', ...admin })).trim();
  await children.run('run', ['run', 'start', runId, '--coordinator', coordinatorUrl], admin);
  await children.run('run', ['run', 'wait', runId, '--coordinator', coordinatorUrl, '--interval', '2'], admin);

  await children.run('pull', ['pull', '--coordinator', coordinatorUrl, '--run', runId, '--out', paths.generator], admin);
  const sampled = await children.run('sample', ['sample', '--model', paths.generator, '--n', String(settings.samples), '--out', paths.synthetic, '--seed', String(DEMO_SEED)], {
    stdout: 'capture',
  });
  for (const line of sampled.trim().split('\n')) say(`sample: ${line.trim()}`);
  const emptyRecords = Number((/([\d,]+) records with no code/.exec(sampled)?.[1] ?? '0').replace(/,/g, ''));

  await children.run('evaluate', [
    'evaluate',
    '--train', paths.train,
    '--holdout', paths.holdout,
    '--format', 'mimic',
    '--rollup',
    '--synthetic', paths.synthetic,
    '--synthetic-format', 'long',
    '--out', paths.report,
    '--title', `fedsynth demo: ${settings.samples.toLocaleString('en-US')} synthetic patients from a ${settings.sites}-site federated medGAN`,
  ]);
  return { coordinatorUrl, dashboardUrl, runId, emptyRecords, folders };
}

/**
 * Site folders data/site-N, the held-out patients data/holdout (no site sees them) and all
 * sites pooled in data/train (the report's training set): split from the bundled demo, or
 * simulated by `fedsynth simulate` with --patients.
 */
async function prepareData(context: DemoContext): Promise<{ name: string; patients: number }[]> {
  const { settings, paths, children, say } = context;
  const siteDirs = Array.from({ length: settings.sites }, (_, i) => paths.siteData(i + 1));
  let folders: { name: string; patients: number }[];
  if (settings.patients === undefined) {
    say(`splitting the bundled MIMIC-III demo (${context.bundledData}) into ${settings.sites} sites and a ${DEMO_HOLDOUT_FRACTION * 100}% holdout`);
    const ids = await subjectIds(context.bundledData);
    const split = assignSubjects(ids, { sites: settings.sites, holdoutFraction: DEMO_HOLDOUT_FRACTION, seed: DEMO_SEED });
    const targets = new Map<string, ReadonlySet<string>>([...siteDirs.map((dir, i) => [dir, new Set(split.sites[i])] as const), [paths.holdout, new Set(split.holdout)]]);
    await writeSubsets(context.bundledData, targets);
    folders = [...split.sites.map((s, i) => ({ name: `site-${i + 1}`, patients: s.length })), { name: 'holdout', patients: split.holdout.length }];
  } else {
    await children.run('simulate', [
      'simulate',
      '--patients', String(settings.patients),
      '--sites', String(settings.sites),
      '--holdout-fraction', String(DEMO_HOLDOUT_FRACTION),
      '--seed', String(DEMO_SEED),
      '--out', paths.data,
    ]);
    folders = await Promise.all(
      [...siteDirs, paths.holdout].map(async (dir) => ({ name: path.basename(dir), patients: (await subjectIds(dir)).length })),
    );
  }
  await poolFolders(siteDirs, paths.train);
  return folders;
}
