import type { GeneratorScores } from './generator-scores';

/** One arm of the privacy experiment: a federated run at a target ε (null: no DP). */
export interface PrivacyRow {
  label: string;
  targetEpsilon: number | null;
  secureAggregation: boolean;
  /** σ the accountant chose for the target; null without DP. */
  noiseMultiplier: number | null;
  /** Largest ε the sites reported to the coordinator (null: no report reached it). */
  reportedEpsilon: number | null;
  /** The accountant's ε for the planned steps at σ (worst site). */
  plannedEpsilon: number | null;
  wallMs: number;
  scores: GeneratorScores;
}

const fixed = (value: number | null, digits: number) => (value === null || !Number.isFinite(value) ? '–' : value.toFixed(digits));

/** The Markdown table the experiment prints and the README quotes; the last line scores the real training records themselves. */
export function privacyTable(rows: readonly PrivacyRow[], realRecords: GeneratorScores): string {
  const header = [
    '| arm | σ | ε reported (planned) | wall time | prevalence r | prevalence RMSE | prediction gap | membership advantage | DCR share |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const line = (label: string, sigma: string, epsilon: string, wall: string, s: GeneratorScores) =>
    `| ${label} | ${sigma} | ${epsilon} | ${wall} | ${fixed(s.pearson, 3)} | ${fixed(s.rmse, 4)} | ${fixed(s.predictionGap, 3)} | ${fixed(s.membershipAdvantage, 4)} | ${fixed(s.dcrShare, 3)} |`;
  const lines = rows.map((row) =>
    line(
      row.label,
      fixed(row.noiseMultiplier, 3),
      row.targetEpsilon === null ? '∞' : `${fixed(row.reportedEpsilon, 3)} (${fixed(row.plannedEpsilon, 3)})`,
      `${(row.wallMs / 60_000).toFixed(1)} min`,
      row.scores,
    ),
  );
  return [...header, ...lines, line('(real training records)', '–', '–', '–', realRecords)].join('\n');
}
