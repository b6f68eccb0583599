import type { CommandEntry } from '../command';
import { runCli } from '../run-cli';
import { captureIo } from '../test-io';
import { COMMANDS } from './index';
import { privacyEpsilonCommand } from './privacy-epsilon.command';

const ABADI = ['--sample-rate', '0.01', '--noise-multiplier', '4', '--steps', '10000', '--delta', '1e-5'];

const ONLY: CommandEntry[] = [
  { path: privacyEpsilonCommand.path, summary: privacyEpsilonCommand.summary, load: async () => privacyEpsilonCommand },
];

describe('fedsynth privacy epsilon', () => {
  it('is registered in the CLI', () => {
    expect(COMMANDS.some((entry) => entry.path.join(' ') === 'privacy epsilon')).toBe(true);
  });

  it('prints ε and the best order for Abadi et al.’s MNIST settings', async () => {
    // q = 0.01, σ = 4, T = 10,000, δ = 1e-5: the moments accountant gave ε ≈ 1.26
    // (Abadi et al. 2016); RDP with the improved conversion gives 1.0355 at α = 17.
    const io = captureIo();
    expect(await runCli(['privacy', 'epsilon', ...ABADI], io, ONLY)).toBe(0);
    expect(io.stdout()).toBe(
      'DP-SGD, Poisson sampling q = 0.01, noise multiplier σ = 4, 10000 steps:\n' +
        '  ε = 1.0355 at δ = 0.00001  (best RDP order α = 17, improved conversion)\n',
    );
    expect(io.stderr()).toBe('');
  });

  it('uses the classic conversion when asked, which lands on the moments accountant’s 1.26', async () => {
    const io = captureIo();
    expect(await runCli(['privacy', 'epsilon', ...ABADI, '--conversion', 'classic'], io, ONLY)).toBe(0);
    expect(io.stdout()).toContain('ε = 1.2586 at δ = 0.00001  (best RDP order α = 20, classic conversion)');
  });

  it('prints JSON with --json', async () => {
    const io = captureIo();
    expect(await runCli(['privacy', 'epsilon', ...ABADI, '--json'], io, ONLY)).toBe(0);
    const json = JSON.parse(io.stdout());
    expect(json).toMatchObject({
      sampleRate: 0.01,
      noiseMultiplier: 4,
      steps: 10000,
      delta: 1e-5,
      order: 17,
      conversion: 'improved',
      accountant: 'rdp-sampled-gaussian',
    });
    expect(json.epsilon).toBeCloseTo(1.0355, 4);
  });

  it('warns when the best order is at the edge of the orders tried', async () => {
    // Tiny noise: ε is huge and the minimum sits at the smallest order, 1.1.
    const io = captureIo();
    const args = ['--sample-rate', '0.5', '--noise-multiplier', '0.05', '--steps', '100', '--delta', '1e-5'];
    expect(await runCli(['privacy', 'epsilon', ...args], io, ONLY)).toBe(0);
    expect(io.stdout()).toContain('best RDP order α = 1.1');
    expect(io.stderr()).toContain('the best order α = 1.1 is at the edge of the orders tried; ε may be loose');
  });

  it.each([
    [[], '--sample-rate is required (see --help)'],
    [['--sample-rate', '0.01', '--noise-multiplier', '1', '--steps', '10'], '--delta is required (see --help)'],
    [['--sample-rate', 'half', '--noise-multiplier', '1', '--steps', '10', '--delta', '1e-5'], "--sample-rate must be a number, got 'half'"],
    [['--sample-rate', '0x10', '--noise-multiplier', '1', '--steps', '10', '--delta', '1e-5'], "--sample-rate must be a number, got '0x10'"],
    [['--sample-rate', '1.5', '--noise-multiplier', '1', '--steps', '10', '--delta', '1e-5'], '--sample-rate must be in (0, 1], got 1.5'],
    [['--sample-rate', '0', '--noise-multiplier', '1', '--steps', '10', '--delta', '1e-5'], '--sample-rate must be in (0, 1], got 0'],
    [['--sample-rate', '0.1', '--noise-multiplier', '0', '--steps', '10', '--delta', '1e-5'], '--noise-multiplier must be a finite number > 0 (σ = 0 adds no noise: ε = ∞), got 0'],
    [['--sample-rate', '0.1', '--noise-multiplier', '1', '--steps', '2.5', '--delta', '1e-5'], '--steps must be an integer ≥ 1, got 2.5'],
    [['--sample-rate', '0.1', '--noise-multiplier', '1', '--steps', '10', '--delta', '1'], '--delta must be in (0, 1), got 1'],
    [[...ABADI, '--conversion', 'best'], "--conversion must be 'improved' or 'classic', got 'best'"],
    [[...ABADI, 'extra'], "unexpected argument 'extra'"],
  ])('refuses %j with exit code 2', async (args, message) => {
    const io = captureIo();
    expect(await runCli(['privacy', 'epsilon', ...args], io, ONLY)).toBe(2);
    expect(io.stderr()).toContain(message);
    expect(io.stdout()).toBe('');
  });

  it('has help text naming every option', async () => {
    const io = captureIo();
    expect(await runCli(['privacy', 'epsilon', '--help'], io, ONLY)).toBe(0);
    for (const option of ['--sample-rate', '--noise-multiplier', '--steps', '--delta', '--conversion', '--json']) {
      expect(io.stdout()).toContain(option);
    }
  });
});
