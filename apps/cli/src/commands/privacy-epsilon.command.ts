import { computeEpsilon, DEFAULT_RDP_ORDERS, FedsynthError, type RdpConversion } from '@fedsynth/gan';
import type { Command, OptionValues } from '../command';

const HELP = `Usage: fedsynth privacy epsilon --sample-rate q --noise-multiplier σ --steps T --delta δ
                                [--conversion improved|classic] [--json]

Prints the (ε, δ) differential-privacy guarantee of T steps of DP-SGD with Poisson
sampling (each record joins a batch with probability q; the clipped gradient sum gets
Gaussian noise of standard deviation σ × the clip norm), so a privacy officer can plan a
site's budget before training. Rényi-DP accountant of the sampled Gaussian mechanism
(Mironov, Talwar & Zhang 2019), minimised over the orders α = 1.1, 1.2, …, 10.9, 11, …,
63, 128, 256, 512, 1024.

Options:
  --sample-rate q         probability a record joins a batch, in (0, 1]:
                          expected batch size ÷ records at the site (1 = full batch)
  --noise-multiplier σ    noise standard deviation ÷ clip norm, > 0
  --steps T               noisy steps over all rounds and epochs, an integer ≥ 1
                          (one epoch is about 1/q steps)
  --delta δ               target δ in (0, 1); keep it well below 1 ÷ records
  --conversion c          RDP → (ε, δ): improved (default; Canonne, Kamath & Steinke
                          2020 / Balle et al. 2020) or classic (Mironov 2017; what the
                          moments accountant of Abadi et al. 2016 amounts to)
  --json                  print the result as JSON

Examples:
  fedsynth privacy epsilon --sample-rate 0.01 --noise-multiplier 4 --steps 10000 --delta 1e-5
  fedsynth privacy epsilon --sample-rate 0.004 --noise-multiplier 1.1 --steps 5000 --delta 1e-6 --json
`;

function requiredNumber(values: OptionValues, name: string): number {
  const raw = values[name];
  if (raw === undefined) throw new FedsynthError(`--${name} is required (see --help)`, 'USAGE');
  const text = String(raw).trim();
  // Number('') is 0 and Number('0x10') is 16: accept plain decimal and exponent forms only.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    throw new FedsynthError(`--${name} must be a number, got '${String(raw)}'`, 'USAGE');
  }
  return Number(text);
}

function parseConversion(values: OptionValues): RdpConversion {
  const raw = values['conversion'];
  if (raw === undefined) return 'improved';
  if (raw === 'improved' || raw === 'classic') return raw;
  throw new FedsynthError(`--conversion must be 'improved' or 'classic', got '${String(raw)}'`, 'USAGE');
}

export const privacyEpsilonCommand: Command = {
  path: ['privacy', 'epsilon'],
  summary: 'Print the (ε, δ) of DP-SGD for a sampling rate, noise multiplier and step count',
  help: HELP,
  options: {
    'sample-rate': { type: 'string' },
    'noise-multiplier': { type: 'string' },
    steps: { type: 'string' },
    delta: { type: 'string' },
    conversion: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new FedsynthError(`unexpected argument '${positionals[0]}'`, 'USAGE');
    const sampleRate = requiredNumber(values, 'sample-rate');
    const noiseMultiplier = requiredNumber(values, 'noise-multiplier');
    const steps = requiredNumber(values, 'steps');
    const delta = requiredNumber(values, 'delta');
    const conversion = parseConversion(values);
    if (!(sampleRate > 0 && sampleRate <= 1)) {
      throw new FedsynthError(`--sample-rate must be in (0, 1], got ${sampleRate}`, 'USAGE');
    }
    if (!(noiseMultiplier > 0) || !Number.isFinite(noiseMultiplier)) {
      throw new FedsynthError(`--noise-multiplier must be a finite number > 0 (σ = 0 adds no noise: ε = ∞), got ${noiseMultiplier}`, 'USAGE');
    }
    if (!Number.isSafeInteger(steps) || steps < 1) {
      throw new FedsynthError(`--steps must be an integer ≥ 1, got ${steps}`, 'USAGE');
    }
    if (!(delta > 0 && delta < 1)) throw new FedsynthError(`--delta must be in (0, 1), got ${delta}`, 'USAGE');

    const result = computeEpsilon([{ sampleRate, noiseMultiplier, steps }], { delta, conversion });
    // The minimum sitting on the first or last order means a wider range could do better.
    const atEdge = result.order === DEFAULT_RDP_ORDERS[0] || result.order === DEFAULT_RDP_ORDERS[DEFAULT_RDP_ORDERS.length - 1];
    if (values['json'] === true) {
      const json = {
        sampleRate,
        noiseMultiplier,
        steps,
        delta,
        epsilon: Number.isFinite(result.epsilon) ? result.epsilon : null,
        order: result.order,
        conversion,
        accountant: 'rdp-sampled-gaussian',
      };
      io.out(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    const epsilon = Number.isFinite(result.epsilon) ? result.epsilon.toFixed(4) : '∞';
    io.out(
      `DP-SGD, Poisson sampling q = ${sampleRate}, noise multiplier σ = ${noiseMultiplier}, ${steps} steps:\n` +
        `  ε = ${epsilon} at δ = ${delta}  (best RDP order α = ${result.order}, ${conversion} conversion)\n`,
    );
    if (atEdge) {
      io.err(`fedsynth privacy epsilon: the best order α = ${result.order} is at the edge of the orders tried; ε may be loose\n`);
    }
    return 0;
  },
};
