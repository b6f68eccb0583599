import path from 'node:path';
import { FedsynthError } from '@fedsynth/gan';
import type { OptionSpec, OptionValues } from '../command';
import { integerOption, stringOption } from '../commands/data-options';

/** What one `fedsynth demo` does, from its options. */
export interface DemoSettings {
  /** Work folder: data, coordinator database, generator, samples, report, logs. */
  out: string;
  sites: number;
  /** A simulated cohort of this many patients (holdout included); undefined: the bundled MIMIC-III demo. */
  patients: number | undefined;
  /** Coordinator port; 0 = any free port. */
  port: number;
  aeRounds: number;
  ganRounds: number;
  localEpochs: number;
  batchSize: number;
  /**
   * Codes a site announces for the vocabulary: held by at least this many of its training
   * records. The bundled demo's sites hold ~21 training patients each, so 5 (the default)
   * would leave a handful of codes; simulated cohorts keep the default.
   */
  minCodeCount: number;
  /** Synthetic patients sampled from the final generator. */
  samples: number;
  /** Leave the coordinator and sites running (dashboard browsable) until Ctrl-C. */
  keepRunning: boolean;
}

/** Share of patients kept out of every site, for the quality report's held-out set. */
export const DEMO_HOLDOUT_FRACTION = 0.2;
export const DEMO_SEED = 1;
export const MAX_DEMO_SITES = 16;
/** Patients in data/mimic-iii-demo (its README's verified counts). */
export const BUNDLED_DEMO_PATIENTS = 100;
/** Fewer than this and a site's own 20% holdout leaves almost nothing to train on. */
export const MIN_PATIENTS_PER_SITE = 10;

/** The demo's short medGAN plan: ~1 minute on 2 cores for the bundled data, see README. */
export const DEMO_PLAN = { aeRounds: 10, ganRounds: 30, localEpochs: 3, batchSize: 32 } as const;

export const DEMO_OPTIONS: OptionSpec = {
  out: { type: 'string' },
  sites: { type: 'string' },
  patients: { type: 'string' },
  port: { type: 'string' },
  'ae-rounds': { type: 'string' },
  'gan-rounds': { type: 'string' },
  'local-epochs': { type: 'string' },
  'keep-running': { type: 'boolean' },
};

export const DEFAULT_DEMO_OUT = path.join('out', 'demo');

export function demoSettings(values: OptionValues, positionals: readonly string[]): DemoSettings {
  if (positionals.length > 0) throw new FedsynthError(`unexpected argument '${positionals[0]}' (fedsynth demo takes options only)`, 'CLI_BAD_ARGUMENT');
  const out = stringOption(values, 'out') ?? DEFAULT_DEMO_OUT;
  if (out.trim() === '') throw new FedsynthError('--out must not be empty', 'CLI_BAD_OPTION');
  const sites = integerOption(values, 'sites', 3, 1, MAX_DEMO_SITES);
  const patients = values.patients === undefined ? undefined : integerOption(values, 'patients', 0, 1, 10_000_000);
  // Every site needs patients of its own after the holdout; say so here rather than deep in the split.
  const cohort = patients ?? BUNDLED_DEMO_PATIENTS;
  if (cohort - Math.round(cohort * DEMO_HOLDOUT_FRACTION) < sites * MIN_PATIENTS_PER_SITE) {
    const fewest = Math.ceil((sites * MIN_PATIENTS_PER_SITE) / (1 - DEMO_HOLDOUT_FRACTION));
    throw new FedsynthError(
      patients === undefined
        ? `the bundled demo's ${BUNDLED_DEMO_PATIENTS} patients are too few for ${sites} sites (at most ${Math.floor((cohort * (1 - DEMO_HOLDOUT_FRACTION)) / MIN_PATIENTS_PER_SITE)}); add --patients ${fewest} for a simulated cohort`
        : `--patients ${patients} is too few for ${sites} sites: after holding out ${DEMO_HOLDOUT_FRACTION * 100}% each site needs at least ${MIN_PATIENTS_PER_SITE} patients (try --patients ${fewest})`,
      'CLI_BAD_OPTION',
    );
  }
  const aeRounds = integerOption(values, 'ae-rounds', DEMO_PLAN.aeRounds, 0, 10_000);
  const ganRounds = integerOption(values, 'gan-rounds', DEMO_PLAN.ganRounds, 1, 10_000);
  return {
    out: path.resolve(out),
    sites,
    patients,
    port: integerOption(values, 'port', 0, 0, 65_535),
    aeRounds,
    ganRounds,
    localEpochs: integerOption(values, 'local-epochs', DEMO_PLAN.localEpochs, 1, 1_000),
    batchSize: DEMO_PLAN.batchSize,
    minCodeCount: patients === undefined ? 2 : 5,
    samples: 1000,
    keepRunning: values['keep-running'] === true,
  };
}
