import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type BinaryMatrix, columnCounts, selectColumns } from '../../data/binary-matrix';
import { readDataset } from '../../data/readers/read-dataset';
import { splitTrainHoldout } from '../../data/split';
import { independentMarginalsBaseline } from '../baselines/independent-marginals';
import { evaluateQuality } from '../quality-report';
import { renderQualityReportHtml } from '../report-html';
import type { QualityReport } from '../report-types';

/** One record per line of a long CSV, so `fedsynth evaluate --format long` can reproduce a report. */
function longCsv(m: BinaryMatrix, codes: readonly string[], prefix: string): string {
  const lines = ['patient,code'];
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.offsets[r]; p < m.offsets[r + 1]; p++) lines.push(`${prefix}${r},${codes[m.indices[p]]}`);
  }
  return lines.join('\n') + '\n';
}

const f = (x: number | null, digits: number) => (x === null ? '—' : x.toFixed(digits));

/** The README table: the two candidate "generators" side by side, with the ideal for each row. */
function comparisonTable(marginals: QualityReport, copy: QualityReport): string {
  const rows: [string, (r: QualityReport) => string, string][] = [
    ['Prevalence Pearson r', (r) => f(r.synthetic.fidelity.prevalence.pearson, 3), '1 (held-out: ' + f(copy.baselines.holdout.fidelity.prevalence.pearson, 3) + ')'],
    ['Prevalence RMSE', (r) => f(r.synthetic.fidelity.prevalence.rmse, 4), '0 (held-out: ' + f(copy.baselines.holdout.fidelity.prevalence.rmse, 4) + ')'],
    ['Codes of X generated at least once', (r) => f(r.synthetic.fidelity.prevalence.coverage, 3), '1'],
    ['Codes per record, mean (X: ' + f(copy.synthetic.fidelity.codesPerRecord.meanReal, 2) + ')', (r) => f(r.synthetic.fidelity.codesPerRecord.meanSynthetic, 2), 'as X'],
    ['Codes per record, total variation', (r) => f(r.synthetic.fidelity.codesPerRecord.totalVariation, 3), '0 (held-out: ' + f(copy.baselines.holdout.fidelity.codesPerRecord.totalVariation, 3) + ')'],
    ['Co-occurrence error ‖Δcorr‖_F/d²·10⁶', (r) => f(r.synthetic.fidelity.coOccurrence.distance, 1), '0 (held-out: ' + f(copy.baselines.holdout.fidelity.coOccurrence.distance, 1) + ')'],
    ['Prediction F1, trained on S (on X: ' + f(copy.synthetic.utility.prediction.meanF1Real, 3) + ')', (r) => f(r.synthetic.utility.prediction.meanF1Synthetic, 3), 'as trained on X'],
    ['Prediction F1 gap (X − S)', (r) => f(r.synthetic.utility.prediction.meanGap, 3), '0'],
    ['Detection AUC (H vs S)', (r) => f(r.synthetic.utility.detectionAuc, 3), '0.5'],
    ['DCR share closer to X than to H', (r) => f(r.synthetic.privacy.distanceToClosestRecord.shareCloserToTrain, 3), '0.5'],
    ['Membership advantage (distance ≤ ' + copy.settings.membershipThreshold + ')', (r) => f(r.synthetic.privacy.membershipInference.advantage, 3), '0'],
    ['Membership F1', (r) => f(r.synthetic.privacy.membershipInference.f1, 3), '—'],
    ['Attribute inference F1, members / non-members', (r) => `${f(r.synthetic.privacy.attributeInference.f1Members, 3)} / ${f(r.synthetic.privacy.attributeInference.f1NonMembers, 3)}`, 'members ≈ non-members'],
    ['Exact copies of X records', (r) => f(r.synthetic.privacy.exactCopyRate, 3), f(copy.baselines.holdout.exactCopyRate, 3) + ' (held-out rate)'],
    ['Verdict: fidelity', (r) => r.verdicts.fidelity.level, ''],
    ['Verdict: utility', (r) => r.verdicts.utility.level, ''],
    ['Verdict: privacy', (r) => r.verdicts.privacy.level, ''],
  ];
  return [
    '| Metric | S = independent marginals | S = copy of X | Ideal |',
    '| --- | ---: | ---: | --- |',
    ...rows.map(([label, get, ideal]) => `| ${label} | ${get(marginals)} | ${get(copy)} | ${ideal} |`),
  ].join('\n');
}

/**
 * The README comparison on the bundled MIMIC-III demo: an 80/20 seeded split by patient, the
 * vocabulary taken from the training part (as `fedsynth evaluate` does), and two stand-in
 * generators scored with the same metrics — independent marginals (right prevalences, nothing
 * else) and a verbatim copy of the training records (perfect fidelity, no privacy).
 * Usage: node libs/gan/dist/metrics/bench/demo-comparison.js [DATA_DIR] [OUT_DIR] (default data/mimic-iii-demo, out/demo-quality)
 */
export async function demoComparison(dataDir: string, outDir: string, seed = 1): Promise<string> {
  // 3-character categories, as the GAN is trained (MIMIC-III's 1,071 categories at full scale).
  const all = await readDataset({ format: 'mimic', input: dataDir, rollup: true });
  const { train, holdout } = splitTrainHoldout(all, { holdoutFraction: 0.2, seed });
  const counts = columnCounts(train.matrix);
  const keep = Array.from({ length: train.matrix.cols }, (_, c) => c).filter((c) => counts[c] > 0);
  const codes = keep.map((c) => all.vocabulary.codes[c]);
  const X = selectColumns(train.matrix, keep);
  const H = selectColumns(holdout.matrix, keep);
  const candidates = { 'independent-marginals': independentMarginalsBaseline(X, X.rows, seed), 'copy-of-train': X };
  const reports: Record<string, QualityReport> = {};
  for (const [name, S] of Object.entries(candidates)) {
    const report = evaluateQuality({ train: X, holdout: H, synthetic: S }, { seed, codeLabels: codes });
    const dir = path.join(outDir, name);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    await writeFile(path.join(dir, 'report.html'), renderQualityReportHtml(report, { title: `MIMIC-III demo: S = ${name}` }));
    await writeFile(path.join(dir, 'synthetic.csv'), longCsv(S, codes, 's'));
    reports[name] = report;
  }
  await writeFile(path.join(outDir, 'train.csv'), longCsv(X, codes, 'x'));
  await writeFile(path.join(outDir, 'holdout.csv'), longCsv(H, codes, 'h'));
  const header = `X = ${X.rows} patients, H = ${H.rows} patients, ${X.cols} codes (those in X), seed ${seed}`;
  return `${header}\n\n${comparisonTable(reports['independent-marginals'], reports['copy-of-train'])}\n`;
}

if (require.main === module) {
  const [dataDir = 'data/mimic-iii-demo', outDir = 'out/demo-quality'] = process.argv.slice(2);
  demoComparison(dataDir, outDir).then(
    (table) => process.stdout.write(table),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
