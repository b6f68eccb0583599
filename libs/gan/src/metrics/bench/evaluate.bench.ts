import { renderQualityReportHtml } from '../report-html';
import { evaluateQuality, type QualityOptions } from '../quality-report';
import { toyCohort } from './toy-cohort';

export interface EvaluateBenchOptions {
  records: number;
  codes: number;
  seed: number;
  /** Report settings (default: the defaults `fedsynth evaluate` uses). */
  quality?: QualityOptions;
}

export interface EvaluateBenchResult {
  /** Wall seconds per metric group, summed over the data sets scored. */
  groups: Record<string, number>;
  totalSeconds: number;
  /** Peak resident set size of the process, in MiB. */
  peakRssMiB: number;
}

/**
 * A full quality report (synthetic set plus both baselines, HTML included) on generated
 * diagnosis-like data of the given size, timed per metric group. X, H and S are three samples of
 * one population, so S plays a generator that learnt the population and nothing more.
 */
export function runEvaluateBench(options: EvaluateBenchOptions): EvaluateBenchResult {
  const { records, codes, seed } = options;
  const groups: Record<string, number> = {};
  const add = (group: string, ms: number) => {
    groups[group] = (groups[group] ?? 0) + ms / 1000;
  };
  let start = performance.now();
  const train = toyCohort({ records, codes, seed });
  const holdout = toyCohort({ records, codes, seed: seed + 1 });
  const synthetic = toyCohort({ records, codes, seed: seed + 2 });
  add('generate inputs (not counted)', performance.now() - start);

  start = performance.now();
  const report = evaluateQuality({ train, holdout, synthetic }, { ...options.quality, seed }, { onStage: (stage, _set, ms) => add(stage, ms) });
  const renderStart = performance.now();
  JSON.stringify(report);
  renderQualityReportHtml(report);
  add('render', performance.now() - renderStart);
  const totalSeconds = (performance.now() - start) / 1000;
  return { groups, totalSeconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

if (require.main === module) {
  const options = { records: argument('records', 20_000), codes: argument('codes', 1_071), seed: argument('seed', 1) };
  const result = runEvaluateBench(options);
  const lines = [
    `bench:evaluate — full quality report, X, H and S each ${options.records.toLocaleString('en-US')} records × ${options.codes.toLocaleString('en-US')} codes (synthetic + 2 baselines)`,
    ...Object.entries(result.groups).map(([group, seconds]) => `  ${group.padEnd(30)} ${seconds.toFixed(2).padStart(7)} s`),
    `  ${'total'.padEnd(30)} ${result.totalSeconds.toFixed(2).padStart(7)} s   (target ≤ 60 s: ${result.totalSeconds <= 60 ? 'met' : 'MISSED'})`,
    `  ${'peak RSS'.padEnd(30)} ${result.peakRssMiB.toFixed(0).padStart(7)} MiB (target < 2048 MiB: ${result.peakRssMiB < 2048 ? 'met' : 'MISSED'})`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
