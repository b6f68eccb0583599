import { erfc, logAddExp, logErfc, logNormalCdf, logSubExp } from './log-math';

describe('logErfc', () => {
  // Reference values: mpmath 1.3 at 40 significant digits, `mpmath.log(mpmath.erfc(x))`.
  it.each([
    [-5, 0.69314718055917657952],
    [-1, 0.61123231767807049464],
    [-0.3, 0.28414589714140825002],
    [1e-8, -1.1283791734617103315e-8],
    [0.1, -0.11930497373739560532],
    [0.5, -0.73501112983708440303],
    [1, -1.8496055099332482486],
    [2, -5.3649412646166375745],
    [2.9999, -10.71973267618614569],
    [3.5, -14.112437402148173755],
    [10, -102.87988902484488857],
    [26, -679.83119976319423026],
    [40, -1604.2615566532735557],
    [1000, -1000007.4801207219062],
  ])('log erfc(%p) = %p to 1e-13 relative', (x, expected) => {
    expect(Math.abs(logErfc(x) - expected)).toBeLessThanOrEqual(1e-13 * Math.abs(expected));
  });

  it('is exact at 0 and the infinities', () => {
    expect(Math.abs(logErfc(0))).toBe(0);
    expect(logErfc(Infinity)).toBe(-Infinity);
    expect(logErfc(-Infinity)).toBe(Math.LN2);
    expect(logErfc(NaN)).toBeNaN();
  });

  it('is continuous where the series hands over to the continued fraction (x = 2)', () => {
    const below = logErfc(2 - 1e-12);
    const above = logErfc(2);
    expect(Math.abs(below - above)).toBeLessThan(1e-10);
  });

  it('gives erfc and the normal CDF', () => {
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 14);
    // Φ(−1.959963984540054) = 0.025 (the two-sided 95% quantile).
    expect(Math.exp(logNormalCdf(-1.959963984540054))).toBeCloseTo(0.025, 14);
    // Far tail without underflow: log Φ(−40) = −804.608…
    expect(logNormalCdf(-40)).toBeCloseTo(-804.6084420137538, 9);
  });
});

describe('logAddExp / logSubExp', () => {
  it('add and subtract in log space without overflow', () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 15);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logSubExp(Math.log(5), Math.log(3))).toBeCloseTo(Math.log(2), 15);
    expect(logSubExp(0, -1e-12)).toBeCloseTo(Math.log(1e-12), 9);
    expect(logSubExp(1000, 999)).toBeCloseTo(1000 + Math.log1p(-Math.exp(-1)), 12);
    expect(logSubExp(7, 7)).toBe(-Infinity);
    expect(logSubExp(7, -Infinity)).toBe(7);
  });

  it('refuses a negative difference', () => {
    expect(() => logSubExp(1, 2)).toThrow('logSubExp needs a ≥ b, got a = 1, b = 2');
  });
});
