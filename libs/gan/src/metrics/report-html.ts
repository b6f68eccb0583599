import type { QualityReport, ScoredSet, VerdictLevel } from './report-types';
import { COLORS, codesPerRecordChart, correlationHeatmap, dotComparison, escapeXml, prevalenceScatter } from './svg-plots';

export interface HtmlReportOptions {
  title?: string;
  /** Extra lines under the inputs table, e.g. where the files came from and what was dropped. */
  notes?: readonly string[];
}

type SetName = 'synthetic' | 'independentMarginals' | 'bernoulliMixture';

const SET_TITLES: Record<SetName | 'holdout', string> = {
  synthetic: 'Synthetic',
  independentMarginals: 'Independent marginals',
  bernoulliMixture: 'Bernoulli mixture',
  holdout: 'Held-out as synthetic',
};

interface MetricRow {
  label: string;
  get(s: ScoredSet): number | null;
  /** The held-out records scored as if synthetic, where the metric allows it. */
  holdout?(report: QualityReport): number | null;
  ideal: string;
  digits: number;
}

const FIDELITY_ROWS: MetricRow[] = [
  { label: 'Prevalence Pearson r', get: (s) => s.fidelity.prevalence.pearson, holdout: (r) => r.baselines.holdout.fidelity.prevalence.pearson, ideal: '1', digits: 3 },
  { label: 'Prevalence RMSE', get: (s) => s.fidelity.prevalence.rmse, holdout: (r) => r.baselines.holdout.fidelity.prevalence.rmse, ideal: '0', digits: 4 },
  { label: 'Codes covered', get: (s) => s.fidelity.prevalence.coverage, holdout: (r) => r.baselines.holdout.fidelity.prevalence.coverage, ideal: '1', digits: 3 },
  { label: 'Mean codes per record', get: (s) => s.fidelity.codesPerRecord.meanSynthetic, holdout: (r) => r.baselines.holdout.fidelity.codesPerRecord.meanSynthetic, ideal: 'training mean', digits: 2 },
  { label: 'Codes/record, total variation', get: (s) => s.fidelity.codesPerRecord.totalVariation, holdout: (r) => r.baselines.holdout.fidelity.codesPerRecord.totalVariation, ideal: '0', digits: 3 },
  { label: 'Codes/record, earth mover’s', get: (s) => s.fidelity.codesPerRecord.wasserstein, holdout: (r) => r.baselines.holdout.fidelity.codesPerRecord.wasserstein, ideal: '0', digits: 2 },
  { label: 'Co-occurrence error', get: (s) => s.fidelity.coOccurrence.distance, holdout: (r) => r.baselines.holdout.fidelity.coOccurrence.distance, ideal: '0', digits: 1 },
];

const UTILITY_ROWS: MetricRow[] = [
  { label: 'Prediction F1, trained on this set', get: (s) => s.utility.prediction.meanF1Synthetic, ideal: 'real-trained F1', digits: 3 },
  { label: 'Prediction F1, trained on real', get: (s) => s.utility.prediction.meanF1Real, ideal: '', digits: 3 },
  { label: 'F1 gap (real − this set)', get: (s) => s.utility.prediction.meanGap, ideal: '0', digits: 3 },
  { label: 'Detection AUC', get: (s) => s.utility.detectionAuc, ideal: '0.5', digits: 3 },
];

const PRIVACY_ROWS: MetricRow[] = [
  { label: 'DCR share closer to training', get: (s) => s.privacy.distanceToClosestRecord.shareCloserToTrain, ideal: '0.5', digits: 3 },
  { label: 'Mean distance to training', get: (s) => s.privacy.distanceToClosestRecord.meanDistanceToTrain, ideal: '≈ to held-out', digits: 2 },
  { label: 'Mean distance to held-out', get: (s) => s.privacy.distanceToClosestRecord.meanDistanceToHoldout, ideal: '', digits: 2 },
  { label: 'Membership advantage', get: (s) => s.privacy.membershipInference.advantage, ideal: '0', digits: 3 },
  { label: 'Membership F1', get: (s) => s.privacy.membershipInference.f1, ideal: '', digits: 3 },
  { label: 'Attribute F1, members', get: (s) => s.privacy.attributeInference.f1Members, ideal: '≈ non-members', digits: 3 },
  { label: 'Attribute F1, non-members', get: (s) => s.privacy.attributeInference.f1NonMembers, ideal: '', digits: 3 },
  { label: 'Exact copies of training records', get: (s) => s.privacy.exactCopyRate, holdout: (r) => r.baselines.holdout.exactCopyRate, ideal: '≈ held-out', digits: 4 },
];

function scoredSets(report: QualityReport): [SetName, ScoredSet][] {
  const sets: [SetName, ScoredSet | null][] = [
    ['synthetic', report.synthetic],
    ['independentMarginals', report.baselines.independentMarginals],
    ['bernoulliMixture', report.baselines.bernoulliMixture],
  ];
  return sets.filter((entry): entry is [SetName, ScoredSet] => entry[1] !== null);
}

const cellValue = (v: number | null | undefined, digits: number) => (v === null || v === undefined ? '—' : v.toFixed(digits));

function metricTable(report: QualityReport, rows: readonly MetricRow[]): string {
  const sets = scoredSets(report);
  const withHoldout = rows.some((r) => r.holdout);
  const head = ['Metric', ...sets.map(([name]) => SET_TITLES[name]), ...(withHoldout ? [SET_TITLES.holdout] : []), 'Ideal'];
  const body = rows.map((row) => {
    const cells = [
      escapeXml(row.label),
      ...sets.map(([, s]) => cellValue(row.get(s), row.digits)),
      ...(withHoldout ? [cellValue(row.holdout?.(report), row.digits)] : []),
      escapeXml(row.ideal),
    ];
    return `<tr>${cells.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function privacyDots(report: QualityReport): string {
  const sets = scoredSets(report);
  const dots = (get: (s: ScoredSet) => number | null) => sets.map(([name, s]) => ({ name: SET_TITLES[name], value: get(s), colour: COLORS[name] }));
  const copies = report.baselines.holdout.exactCopyRate;
  return dotComparison([
    { label: 'DCR share closer to training', domain: [0, 1], ideal: 0.5, values: dots((s) => s.privacy.distanceToClosestRecord.shareCloserToTrain) },
    { label: 'Membership advantage', domain: [-0.2, 1], ideal: 0, values: dots((s) => s.privacy.membershipInference.advantage) },
    {
      label: 'Attribute F1, members − non-members',
      domain: [-0.2, 1],
      ideal: 0,
      values: dots((s) => {
        const a = s.privacy.attributeInference;
        return a.f1Members === null || a.f1NonMembers === null ? null : a.f1Members - a.f1NonMembers;
      }),
    },
    {
      label: 'Exact copies (mark: held-out rate)',
      domain: [0, 1],
      ideal: Number(copies.toFixed(4)),
      values: dots((s) => s.privacy.exactCopyRate),
    },
  ]);
}

function predictionDots(report: QualityReport): string {
  const p = report.synthetic.utility.prediction;
  return dotComparison(
    p.codes.map((code, i) => ({
      label: report.plots.labels[code] ?? String(code),
      domain: [0, 1] as [number, number],
      ideal: null,
      values: [
        { name: 'trained on real', value: p.f1Real[i], colour: COLORS.train },
        { name: 'trained on synthetic', value: p.f1Synthetic[i], colour: COLORS.synthetic },
      ],
    })),
  );
}

const BADGE: Record<VerdictLevel, string> = { good: '#059669', fair: '#d97706', poor: '#dc2626' };

function legend(entries: [string, string][]): string {
  return `<p class="legend">${entries.map(([label, colour]) => `<span><i style="background:${colour}"></i>${escapeXml(label)}</span>`).join('')}</p>`;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; color: #111827; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #e5e7eb; padding-bottom: 0.2rem; }
.verdict { margin: 0.3rem 0; } .badge { display: inline-block; min-width: 3.2rem; text-align: center; color: #fff; border-radius: 4px; padding: 0 0.4rem; margin-right: 0.5rem; font-weight: 600; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.88rem; } th, td { border-bottom: 1px solid #e5e7eb; padding: 0.25rem 0.6rem; text-align: right; } th[scope=row], thead th:first-child { text-align: left; font-weight: 500; }
thead th { background: #f3f4f6; font-weight: 600; } .charts { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.legend span { margin-right: 1rem; font-size: 0.85rem; } .legend i { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.3rem; vertical-align: -0.1rem; border-radius: 2px; }
.note { color: #4b5563; font-size: 0.88rem; }`;

/**
 * The quality report as one self-contained HTML page: inline CSS and SVG only (no scripts, fonts
 * or links to fetch), so it can be mailed, archived, or opened on a ward PC without network.
 */
export function renderQualityReportHtml(report: QualityReport, options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'Synthetic data quality report';
  const { inputs, plots } = report;
  const heatmapLabels = plots.heatmap.codes.map((c) => plots.labels[c] ?? String(c));
  const verdicts = (['fidelity', 'utility', 'privacy'] as const).map((area) => {
    const v = report.verdicts[area];
    return `<p class="verdict"><span class="badge" style="background:${BADGE[v.level]}">${v.level}</span>${escapeXml(v.text)}</p>`;
  });
  const inputRows = (['train', 'holdout', 'synthetic'] as const).map((name) => {
    const s = inputs[name];
    return `<tr><th scope="row">${name === 'train' ? 'Training (X)' : name === 'holdout' ? 'Held-out (H)' : 'Synthetic (S)'}</th><td>${s.records.toLocaleString('en-US')}</td><td>${s.codesInUse.toLocaleString('en-US')} of ${s.codes.toLocaleString('en-US')}</td><td>${s.meanCodesPerRecord.toFixed(2)}</td></tr>`;
  });
  const settings = Object.entries(report.settings).map(([k, v]) => `${escapeXml(k)} = ${v === null ? 'off' : v}`);
  const setLegend = scoredSets(report).map(([name]) => [SET_TITLES[name], COLORS[name]] as [string, string]);

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<p class="note">Fidelity, utility and privacy of the synthetic records, each beside baselines: independent marginals (right prevalences, no correlation), a ${report.settings.mixtureComponents ?? '—'}-component Bernoulli mixture (the simple model to beat) and the held-out real records where a metric allows them. Every number is in report.json.</p>
${verdicts.join('\n')}
<table><thead><tr><th>Input</th><th>Records</th><th>Codes in use</th><th>Codes per record</th></tr></thead><tbody>${inputRows.join('')}</tbody></table>
${(options.notes ?? []).map((n) => `<p class="note">${escapeXml(n)}</p>`).join('\n')}

<h2>Fidelity</h2>
<div class="charts">
<figure>${prevalenceScatter(plots.prevalence.train, plots.prevalence.synthetic, plots.labels)}<figcaption class="note">Prevalence per code. Dashed: equal prevalence.</figcaption></figure>
<figure>${codesPerRecordChart(plots.codesPerRecord.train, plots.codesPerRecord.synthetic)}${legend([['Training', COLORS.train], ['Synthetic', COLORS.synthetic]])}</figure>
</div>
<div class="charts">
<figure>${correlationHeatmap(plots.heatmap.train, heatmapLabels, 'Training: correlations of the top codes')}</figure>
<figure>${correlationHeatmap(plots.heatmap.synthetic, heatmapLabels, 'Synthetic: the same codes')}</figure>
</div>
<p class="note">Heatmaps: red = codes that go together, blue = codes that avoid each other (full colour at |r| ≥ 0.5). Co-occurrence error: ‖corr(X) − corr(S)‖<sub>F</sub> / d² · 10⁶ over the ${report.synthetic.fidelity.coOccurrence.codes} codes with prevalence ≥ ${100 * report.settings.minPrevalence}% in X.</p>
${metricTable(report, FIDELITY_ROWS)}

<h2>Utility</h2>
<p class="note">For the ${report.synthetic.utility.prediction.codes.length} most common codes a logistic regression predicts the code from all others, trained on real or on synthetic records and tested on held-out real records (F1). Detection: cross-validated AUC of a classifier telling held-out from synthetic records (0.5 = indistinguishable).</p>
${metricTable(report, UTILITY_ROWS)}
<figure>${predictionDots(report)}${legend([['Trained on real', COLORS.train], ['Trained on synthetic', COLORS.synthetic]])}<figcaption class="note">F1 per predicted code on held-out records.</figcaption></figure>

<h2>Privacy</h2>
<figure>${privacyDots(report)}${legend([...setLegend, ['Ideal', COLORS.ideal]])}</figure>
<p class="note">DCR: share of synthetic records closer (Hamming) to training than to held-out records, training subsampled to the held-out size. Membership: an attacker claims a record was in training when a synthetic record lies within distance ${report.settings.membershipThreshold}; advantage = hit rate on members − on non-members. Attribute: knowing a record's values on the ${report.settings.attributeKnownCodes} most common codes, the attacker copies the rest from the nearest synthetic record(s).</p>
${metricTable(report, PRIVACY_ROWS)}

<h2>Settings</h2>
<p class="note">${settings.join(' · ')}</p>
</body>
</html>
`;
}
