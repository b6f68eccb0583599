import { matrixFromRows, seededRandomness } from '@fedsynth/gan';
import type { TrainTask } from '@fedsynth/protocol';
import { PrevalenceReleases } from './prevalence-release';

const NOISY = { weight: 0.5, noiseMultiplier: 2 };

function task(runId: string, phase: TrainTask['phase'], marginals?: TrainTask['marginals']): Pick<TrainTask, 'runId' | 'phase' | 'marginals'> {
  return { runId, phase, ...(marginals ? { marginals } : {}) };
}

describe('PrevalenceReleases', () => {
  // 2,000 records: code 0 in every other one, code 1 in one in ten.
  const matrix = matrixFromRows(
    Array.from({ length: 2000 }, (_, r) => [...(r % 2 === 0 ? [0] : []), ...(r % 10 === 0 ? [1] : [])]),
    2,
  );

  it('needs one release per run, before its first GAN round, and none without marginal matching', () => {
    const releases = new PrevalenceReleases(seededRandomness(1));
    expect(releases.needed(task('r1', 'autoencoder', NOISY))).toEqual([]);
    expect(releases.needed(task('r1', 'gan'))).toEqual([]);
    // Exact prevalences (runs without dp) cost nothing.
    expect(releases.needed(task('r1', 'gan', { weight: 1, noiseMultiplier: 0 }))).toEqual([]);
    expect(releases.needed(task('r1', 'gan', NOISY))).toEqual([{ sampleRate: 1, noiseMultiplier: 2, steps: 1 }]);
    // Needed is pure: asking twice plans the same release until it is made.
    expect(releases.needed(task('r1', 'gan', NOISY))).toHaveLength(1);
    expect(releases.targetFor(task('r1', 'gan', NOISY))).toBeUndefined();

    releases.prepare(task('r1', 'gan', NOISY), matrix);
    expect(releases.needed(task('r1', 'gan', NOISY))).toEqual([]);
    // Another run releases again (and is charged again): its vocabulary, hence its matrix, may differ.
    expect(releases.needed(task('r2', 'gan', NOISY))).toHaveLength(1);
  });

  it("trains the run's GAN rounds towards the noisy prevalences, with the run's weight", () => {
    const releases = new PrevalenceReleases(seededRandomness(2));
    releases.prepare(task('r1', 'gan', NOISY), matrix);
    const target = releases.targetFor(task('r1', 'gan', NOISY))!;
    expect(target.weight).toBe(0.5);
    // Noise sd z·√20 ≈ 8.9 records of 2,000: within 0.03 of 0.5 and 0.1.
    expect(Math.abs(target.prevalence[0]! - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(target.prevalence[1]! - 0.1)).toBeLessThan(0.03);
    // Noisy, not exact (a rounded noise of 0 has probability ≈ 4.5 % per code).
    expect(target.prevalence[0] !== 0.5 || target.prevalence[1] !== 0.1).toBe(true);
    expect(releases.targetFor(task('r1', 'autoencoder', NOISY))).toBeUndefined();
    expect(releases.targetFor(task('r1', 'gan'))).toBeUndefined();
  });

  it('uses the exact prevalences when the run asks for no noise (runs without dp)', () => {
    const releases = new PrevalenceReleases();
    releases.prepare(task('r3', 'gan', { weight: 2, noiseMultiplier: 0 }), matrix);
    const target = releases.targetFor(task('r3', 'gan', { weight: 2, noiseMultiplier: 0 }))!;
    expect(Array.from(target.prevalence)).toEqual([0.5, 0.1]);
    expect(target.weight).toBe(2);
  });

  it("matches the run's pooled prevalences when the task carries them: no release, the site's own never computed", () => {
    const releases = new PrevalenceReleases();
    const pooled = { weight: 1, noiseMultiplier: 0, pooledPrevalence: new Float32Array([0.25, 0.75]) };
    expect(releases.needed(task('r4', 'gan', pooled))).toEqual([]);
    releases.prepare(task('r4', 'gan', pooled), matrix);
    const target = releases.targetFor(task('r4', 'gan', pooled))!;
    expect(Array.from(target.prevalence)).toEqual([0.25, 0.75]);
    expect(target.weight).toBe(1);
    expect(releases.targetFor(task('r4', 'autoencoder', pooled))).toBeUndefined();
    // A target for another vocabulary is refused before training, naming the field.
    expect(() => releases.check(task('r4', 'gan', { ...pooled, pooledPrevalence: new Float32Array([0.5]) }), matrix)).toThrow('1 pooled prevalences for a vocabulary of 2 codes');
    expect(() => releases.prepare(task('r4', 'gan', { ...pooled, pooledPrevalence: new Float32Array([0.5]) }), matrix)).toThrow('1 pooled prevalences for a vocabulary of 2 codes');
    expect(releases.correctionFor(task('r4', 'gan', pooled))).toBeUndefined(); // not asked for
  });

  it('gives a pooled run that corrects batch means the pooled and the exact own prevalences, without a release', () => {
    const releases = new PrevalenceReleases();
    const corrected = { weight: 1, noiseMultiplier: 0, pooledPrevalence: new Float32Array([0.25, 0.75]), correctBatchMeans: true };
    expect(releases.needed(task('r5', 'gan', corrected))).toEqual([]);
    expect(releases.correctionFor(task('r5', 'gan', corrected))).toBeUndefined(); // not prepared yet
    releases.prepare(task('r5', 'gan', corrected), matrix);
    const correction = releases.correctionFor(task('r5', 'gan', corrected))!;
    expect(Array.from(correction.pooled)).toEqual([0.25, 0.75]);
    expect(Array.from(correction.site)).toEqual([0.5, 0.1]);
    expect(releases.correctionFor(task('r5', 'autoencoder', corrected))).toBeUndefined();
    // The generator still matches the pooled prevalences, not the site's own.
    expect(Array.from(releases.targetFor(task('r5', 'gan', corrected))!.prevalence)).toEqual([0.25, 0.75]);
  });
});
