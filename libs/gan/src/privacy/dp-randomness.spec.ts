import { secureRandomness, seededRandomness } from './dp-randomness';

function meanAndSd(values: ArrayLike<number>): { mean: number; sd: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, sd: Math.sqrt(squares / (values.length - 1)) };
}

/** P(|Z| > 2) = 4.55%, P(|Z| > 3) = 0.27%. */
function expectStandardNormal(z: ArrayLike<number>): void {
  const { mean, sd } = meanAndSd(z);
  expect(Math.abs(mean)).toBeLessThan(0.01);
  expect(Math.abs(sd - 1)).toBeLessThan(0.01);
  const beyond = (k: number) => Array.from(z).filter((x) => Math.abs(x) > k).length / z.length;
  expect(beyond(2)).toBeCloseTo(0.0455, 2);
  expect(beyond(3)).toBeCloseTo(0.0027, 3);
}

describe('DP randomness', () => {
  it.each([
    ['secure (node:crypto)', secureRandomness()],
    ['seeded', seededRandomness(3)],
  ])('%s: bulk standard normals have mean 0, sd 1 and normal tails', (_name, random) => {
    const z = random.normals(200_001); // odd on purpose: the last Box–Muller pair is cut
    expect(z.length).toBe(200_001);
    expectStandardNormal(z);
  });

  it.each([
    ['secure (node:crypto)', secureRandomness()],
    ['seeded', seededRandomness(4)],
  ])('%s: single standard normals have mean 0, sd 1 and normal tails', (_name, random) => {
    const z = Float64Array.from({ length: 200_001 }, () => random.normal());
    expectStandardNormal(z);
  });

  it('single normals come in independent pairs, not repeated draws', () => {
    // Both halves of a Box–Muller pair are used; neither repeats nor mirrors the other.
    const random = seededRandomness(8);
    const z = Array.from({ length: 20_000 }, () => random.normal());
    let product = 0;
    for (let i = 0; i < z.length; i += 2) product += z[i] * z[i + 1];
    expect(Math.abs(product / (z.length / 2))).toBeLessThan(0.03); // E[z1·z2] = 0
    expect(new Set(z).size).toBe(z.length);
  });

  it('uniforms are strictly inside (0, 1)', () => {
    const random = secureRandomness();
    let outside = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = random.uniform();
      if (!(u > 0 && u < 1)) outside++;
    }
    expect(outside).toBe(0);
  });

  it('only node:crypto counts as secure; a seed reproduces its draws', () => {
    expect(secureRandomness().secure).toBe(true);
    expect(seededRandomness(1).secure).toBe(false);
    expect(Array.from(seededRandomness(7).normals(5))).toEqual(Array.from(seededRandomness(7).normals(5)));
    expect(Array.from(secureRandomness().normals(5))).not.toEqual(Array.from(secureRandomness().normals(5)));
    const five = (random: ReturnType<typeof seededRandomness>) => Array.from({ length: 5 }, () => random.normal());
    expect(five(seededRandomness(7))).toEqual(five(seededRandomness(7)));
    expect(five(secureRandomness())).not.toEqual(five(secureRandomness()));
  });

  it('rejects a negative or fractional count', () => {
    expect(() => secureRandomness().normals(-1)).toThrow(/whole number/);
    expect(() => secureRandomness().normals(1.5)).toThrow(/whole number/);
  });
});
