import type { RunPlan } from '../rounds/run-plan';

/**
 * The dashboard's "new run" form, as the fields a browser posts (strings, or numbers from
 * JSON). Empty fields are left out, so the coordinator's defaults apply exactly as for
 * `POST /api/runs` without them.
 */
export interface RunForm {
  modelFamily?: unknown;
  autoencoderRounds?: unknown;
  ganRounds?: unknown;
  localEpochs?: unknown;
  /** Minibatches per round at each site instead of whole epochs; empty: epochs. */
  localSteps?: unknown;
  minSites?: unknown;
  /** Round deadline in seconds (the API takes milliseconds). */
  deadlineSeconds?: unknown;
  evaluateEvery?: unknown;
  maxRoundRetries?: unknown;
  batchSize?: unknown;
  learningRate?: unknown;
  strategy?: unknown;
  minCodeCount?: unknown;
  /** category or full. */
  codeLevel?: unknown;
  /** A fixed vocabulary instead of the sites' union: codes one per line (or comma/space separated); `#` lines are comments. */
  fixedVocabulary?: unknown;
  latentDim?: unknown;
  generatorBlocks?: unknown;
  /** Comma-separated hidden layer sizes, e.g. "256, 128". */
  discriminatorDims?: unknown;
}

export type RunFormField = keyof RunForm | 'rounds' | 'form';

/** The `POST /api/runs` body a form stands for, and which form field each plan phase came from. */
export interface RunRequest {
  plan: Partial<RunPlan>;
  options: Record<string, unknown>;
  phaseFields: RunFormField[];
}

function blank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A number as typed; text that is not one becomes NaN, which the API's checks then name. */
function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  const text = value.trim();
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
}

/**
 * The codes of the fixed-vocabulary text box: one per line as in a vocabulary file (pasted
 * whole, its `#` header is skipped), or separated by commas or spaces. Anything but text is
 * passed on for the API to refuse.
 */
function codesOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(/[\s,]+/))
    .filter((code) => code !== '');
}

function set(target: Record<string, unknown>, key: string, value: unknown): void {
  if (!blank(value)) target[key] = value;
}

/**
 * Turns the form into the API's `{ plan, options }`: rounds per phase become `plan.phases`
 * (a phase of 0 rounds is left out, as the CLI does), the deadline goes from seconds to
 * milliseconds. Nothing is judged here: the API's own checks (checkRunPlan,
 * checkRunOptions) decide, so the form and the REST API accept exactly the same runs.
 */
export function runRequestFromForm(form: RunForm): RunRequest {
  const plan: Record<string, unknown> = {};
  const phaseFields: RunFormField[] = [];
  if (!blank(form.autoencoderRounds) || !blank(form.ganRounds)) {
    const phases: { phase: string; rounds: number }[] = [];
    for (const [phase, field] of [
      ['autoencoder', 'autoencoderRounds'],
      ['gan', 'ganRounds'],
    ] as const) {
      const rounds = blank(form[field]) ? 0 : numberOf(form[field]);
      if (rounds !== 0) {
        phases.push({ phase, rounds });
        phaseFields.push(field);
      }
    }
    plan['phases'] = phases;
  }
  if (!blank(form.minSites)) plan['minSites'] = numberOf(form.minSites);
  if (!blank(form.deadlineSeconds)) {
    const seconds = numberOf(form.deadlineSeconds);
    plan['roundDeadlineMs'] = Number.isFinite(seconds) ? Math.round(seconds * 1000) : seconds;
  }
  if (!blank(form.evaluateEvery)) plan['evaluateEvery'] = numberOf(form.evaluateEvery);
  if (!blank(form.maxRoundRetries)) plan['maxRoundRetries'] = numberOf(form.maxRoundRetries);

  const options: Record<string, unknown> = {};
  set(options, 'modelFamily', typeof form.modelFamily === 'string' ? form.modelFamily.trim() : form.modelFamily);
  const train: Record<string, unknown> = {};
  if (!blank(form.localEpochs)) train['localEpochs'] = numberOf(form.localEpochs);
  if (!blank(form.localSteps)) train['localSteps'] = numberOf(form.localSteps);
  if (!blank(form.batchSize)) train['batchSize'] = numberOf(form.batchSize);
  if (!blank(form.learningRate)) train['learningRate'] = numberOf(form.learningRate);
  if (Object.keys(train).length > 0) options['train'] = train;
  if (!blank(form.strategy)) options['strategy'] = { name: String(form.strategy).trim() };
  const vocabulary: Record<string, unknown> = {};
  if (!blank(form.codeLevel)) vocabulary['codeLevel'] = String(form.codeLevel).trim();
  if (!blank(form.minCodeCount)) vocabulary['minCodeCount'] = numberOf(form.minCodeCount);
  if (!blank(form.fixedVocabulary)) vocabulary['fixed'] = codesOf(form.fixedVocabulary);
  if (Object.keys(vocabulary).length > 0) options['vocabulary'] = vocabulary;
  const model: Record<string, unknown> = {};
  if (!blank(form.latentDim)) model['latentDim'] = numberOf(form.latentDim);
  if (!blank(form.generatorBlocks)) model['generatorBlocks'] = numberOf(form.generatorBlocks);
  if (!blank(form.discriminatorDims)) model['discriminatorDims'] = String(form.discriminatorDims).split(',').map(numberOf);
  if (Object.keys(model).length > 0) options['model'] = model;

  return { plan: plan as Partial<RunPlan>, options, phaseFields };
}

/** Where a problem named by checkRunPlan / checkRunOptions belongs on the form. */
const FIELD_BY_PREFIX: readonly (readonly [string, RunFormField])[] = [
  ['modelFamily', 'modelFamily'],
  ['minSites', 'minSites'],
  ['roundDeadlineMs', 'deadlineSeconds'],
  ['evaluateEvery', 'evaluateEvery'],
  ['maxRoundRetries', 'maxRoundRetries'],
  ['train.localEpochs', 'localEpochs'],
  ['train.localSteps', 'localSteps'],
  ['train.batchSize', 'batchSize'],
  ['train.learningRate', 'learningRate'],
  ['vocabulary.minCodeCount', 'minCodeCount'],
  ['vocabulary.codeLevel', 'codeLevel'],
  ['vocabulary.fixed', 'fixedVocabulary'],
  ['model option latentDim', 'latentDim'],
  ['model option generatorBlocks', 'generatorBlocks'],
  ['model option discriminatorDims', 'discriminatorDims'],
  ['unknown model family', 'modelFamily'],
  ['unknown strategy', 'strategy'],
  ['phases', 'rounds'],
  ['the phases', 'rounds'],
];

/**
 * Sorts the API's problems by form field, keeping each message as the API wrote it. A
 * problem with a phase index goes to that phase's field; one no field owns goes to `form`.
 */
export function problemsByField(problems: readonly string[], phaseFields: readonly RunFormField[]): Partial<Record<RunFormField, string[]>> {
  const out: Partial<Record<RunFormField, string[]>> = {};
  for (const problem of problems) {
    const phase = /^phases\[(\d+)\]/.exec(problem);
    let field: RunFormField = 'form';
    if (phase) field = phaseFields[Number(phase[1])] ?? 'rounds';
    else field = FIELD_BY_PREFIX.find(([prefix]) => problem.startsWith(prefix))?.[1] ?? 'form';
    (out[field] ??= []).push(problem);
  }
  return out;
}
