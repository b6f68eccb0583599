import { federationGain, type FederationGain } from './federation-gain';
import { averageRow, type GainRow } from './gain-table';

/** The parts of an experiment's results.json that combining reads. */
export interface ExperimentResults {
  cohort: unknown;
  settings: unknown;
  synthetic: number;
  rows: GainRow[];
  [key: string]: unknown;
}

/** How a run's generators were sampled: its `sampling`, or 'round' for runs made before --sampling existed. */
export function experimentSampling(results: ExperimentResults): string {
  return typeof results['sampling'] === 'string' ? results['sampling'] : 'round';
}

type Kind = 'site' | 'federated' | 'centralised' | 'floor' | 'average';

function kindOf(row: GainRow): Kind {
  if (row.label.startsWith('(')) return 'floor';
  if (row.label.startsWith('average of')) return 'average';
  if (row.label.startsWith('federated')) return 'federated';
  if (row.label.startsWith('centralised')) return 'centralised';
  return 'site';
}

/**
 * Joins the rows of experiment runs that trained different arms of the same configuration
 * (e.g. `--arms centralised,federated` and `--arms sites` run side by side): refuses runs whose
 * cohort, settings, synthetic count or sampling differ, or that both hold the same arm; recomputes the
 * sites' average and the gain from the joined rows.
 */
export function combineResults(runs: readonly ExperimentResults[]): { rows: GainRow[]; gain: FederationGain | undefined } {
  if (runs.length === 0) throw new RangeError('nothing to combine');
  const [first] = runs;
  runs.forEach((run, i) => {
    for (const key of ['cohort', 'settings', 'synthetic'] as const) {
      if (JSON.stringify(run[key]) !== JSON.stringify(first![key])) throw new Error(`result ${i + 1} has another ${key} than result 1: they are not the same experiment`);
    }
    if (experimentSampling(run) !== experimentSampling(first!)) {
      throw new Error(`result ${i + 1} sampled by ${experimentSampling(run)}, result 1 by ${experimentSampling(first!)}: their scores are not comparable`);
    }
  });
  const byKind = new Map<Kind, { row: GainRow; from: number }[]>();
  runs.forEach((run, i) => run.rows.forEach((row) => byKind.set(kindOf(row), [...(byKind.get(kindOf(row)) ?? []), { row, from: i }])));
  for (const kind of ['site', 'federated', 'centralised'] as const) {
    const sources = new Set((byKind.get(kind) ?? []).map((r) => r.from));
    if (sources.size > 1) throw new Error(`results ${[...sources].map((s) => s + 1).join(' and ')} both hold the ${kind === 'site' ? 'sites-alone' : kind} arm`);
  }
  const sites = (byKind.get('site') ?? []).map((r) => r.row);
  const federated = byKind.get('federated')?.[0]?.row;
  const centralised = byKind.get('centralised')?.[0]?.row;
  const floor = byKind.get('floor')?.[0]?.row;
  const rows = [...sites, ...(sites.length > 0 ? [averageRow('average of the sites alone', sites)] : []), ...(federated ? [federated] : []), ...(centralised ? [centralised] : []), ...(floor ? [floor] : [])];
  const gain =
    federated && centralised && sites.length > 0
      ? federationGain({ federatedRmse: federated.scores.rmse, centralisedRmse: centralised.scores.rmse, siteRmses: sites.map((r) => r.scores.rmse) })
      : undefined;
  return { rows, gain };
}
