import type { GeneratorScores } from './generator-scores';
import type { SiteMixture } from './site-mixture';

/** One line of the federation-gain table. */
export interface GainRow {
  label: string;
  trainingRecords: number;
  /** Training wall time; null for a row that is an average of others. */
  wallMs: number | null;
  scores: GeneratorScores;
  /** The sites' case mixes in the synthetic prevalences (absent on averaged and reference rows). */
  mixture?: SiteMixture;
}

const fixed = (value: number | null, digits: number) => (value === null || !Number.isFinite(value) ? '–' : value.toFixed(digits));

function duration(ms: number | null): string {
  if (ms === null) return '–';
  const s = ms / 1000;
  return s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`;
}

/** The Markdown table the experiment prints and the README quotes. */
export function gainTable(rows: readonly GainRow[]): string {
  const header = [
    '| arm | training records | wall time | prevalence r | prevalence RMSE | codes generated | codes/record | prediction F1 (gap) | detection AUC | membership advantage | DCR share |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const lines = rows.map((row) => {
    const s = row.scores;
    return (
      `| ${row.label} | ${row.trainingRecords.toLocaleString('en-US')} | ${duration(row.wallMs)} | ${fixed(s.pearson, 4)} | ${fixed(s.rmse, 5)} | ` +
      `${fixed(100 * s.codesGenerated, 1)}% | ${fixed(s.meanCodesPerRecord, 2)} | ${fixed(s.predictionF1, 3)} (${fixed(s.predictionGap, 3)}) | ` +
      `${fixed(s.detectionAuc, 3)} | ${fixed(s.membershipAdvantage, 3)} | ${fixed(s.dcrShare, 3)} |`
    );
  });
  return [...header, ...lines].join('\n');
}

/** The mean of each score over several rows (the sites training alone), as one row. */
export function averageRow(label: string, rows: readonly GainRow[]): GainRow {
  if (rows.length === 0) throw new RangeError('cannot average no rows');
  const mean = (pick: (s: GeneratorScores) => number | null): number | null => {
    const values = rows.map((r) => pick(r.scores));
    return values.some((v) => v === null) ? null : (values as number[]).reduce((a, b) => a + b, 0) / values.length;
  };
  const scores: GeneratorScores = {
    syntheticRecords: mean((s) => s.syntheticRecords)!,
    pearson: mean((s) => s.pearson)!,
    rmse: mean((s) => s.rmse)!,
    codesGenerated: mean((s) => s.codesGenerated)!,
    meanCodesPerRecord: mean((s) => s.meanCodesPerRecord)!,
    predictionF1: mean((s) => s.predictionF1),
    predictionGap: mean((s) => s.predictionGap),
    detectionAuc: mean((s) => s.detectionAuc),
    membershipAdvantage: mean((s) => s.membershipAdvantage)!,
    dcrShare: mean((s) => s.dcrShare)!,
    exactCopyRate: mean((s) => s.exactCopyRate)!,
  };
  return { label, trainingRecords: Math.round(rows.reduce((n, r) => n + r.trainingRecords, 0) / rows.length), wallMs: null, scores };
}

/**
 * How each generator mixed the sites' case mixes, and its RMSE if only that mix were put
 * right: the part of a prevalence error that weighting the sites differently could remove.
 */
export function mixtureTable(rows: readonly GainRow[]): string {
  const mixed = rows.filter((r) => r.mixture);
  if (mixed.length === 0) return '';
  const shares = (w: readonly number[]) => w.map((x) => x.toFixed(3)).join(' / ');
  return [
    `| arm | fitted mix of the sites | pooled mix | prevalence RMSE | RMSE at the pooled mix |`,
    '|---|---:|---:|---:|---:|',
    ...mixed.map((r) => `| ${r.label} | ${shares(r.mixture!.weights)} | ${shares(r.mixture!.pooledShares)} | ${fixed(r.scores.rmse, 5)} | ${fixed(r.mixture!.rmseAtPooledMixture, 5)} |`),
  ].join('\n');
}
