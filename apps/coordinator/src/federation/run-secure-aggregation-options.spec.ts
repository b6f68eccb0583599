import { checkRunOptions } from './run-options';
import { defaultSecAggThreshold } from './run-secure-aggregation-options';

describe('secureAggregation run option', () => {
  it('defaults the threshold to ⌈2n/3⌉, within [2, n] and above n/2', () => {
    expect([2, 3, 4, 5, 6, 9, 20].map(defaultSecAggThreshold)).toEqual([2, 2, 3, 4, 4, 6, 14]);
    for (let n = 2; n <= 100; n++) expect(defaultSecAggThreshold(n)).toBeGreaterThan(n / 2);
  });

  it('is kept when enabled and dropped when not', () => {
    expect(checkRunOptions({ secureAggregation: { enabled: true, threshold: 3 } }).secureAggregation).toEqual({ enabled: true, threshold: 3 });
    expect(checkRunOptions({ secureAggregation: { enabled: false } }).secureAggregation).toBeUndefined();
    expect(checkRunOptions({}).secureAggregation).toBeUndefined();
  });

  it.each([
    [{ secureAggregation: true }, 'secureAggregation must be an object like { enabled: true, threshold?: t }'],
    [{ secureAggregation: { enabled: 'yes' } }, 'secureAggregation.enabled must be true or false'],
    [{ secureAggregation: { enabled: true, threshold: 1 } }, 'secureAggregation.threshold must be an integer ≥ 2'],
    [{ secureAggregation: { enabled: true, clip: 0 } }, 'secureAggregation.clip must be a number > 0'],
    [{ secureAggregation: { enabled: true, treshold: 2 } }, 'secureAggregation.treshold is not an option (enabled, threshold, clip)'],
    [{ secureAggregation: { enabled: true }, strategy: { name: 'fedmedian' } }, "secureAggregation needs strategy fedavg: fedmedian needs each site's plain update"],
  ])('refuses %j', (options, message) => {
    expect(() => checkRunOptions(options)).toThrow(message);
  });
});
