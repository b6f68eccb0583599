import { runCreateBody } from './run-create.command';

describe('fedsynth run create --secure-aggregation', () => {
  it('sends secureAggregation only when asked, with the threshold if given', () => {
    expect(runCreateBody({}).options).not.toHaveProperty('secureAggregation');
    expect(runCreateBody({ 'secure-aggregation': true }).options.secureAggregation).toEqual({ enabled: true });
    expect(runCreateBody({ 'secure-aggregation': true, 'secagg-threshold': '3' }).options.secureAggregation).toEqual({ enabled: true, threshold: 3 });
  });

  it('refuses a threshold below 2, or one without --secure-aggregation', () => {
    expect(() => runCreateBody({ 'secure-aggregation': true, 'secagg-threshold': '1' })).toThrow("--secagg-threshold must be a whole number from 2 to 100000, got '1'");
    expect(() => runCreateBody({ 'secagg-threshold': '2' })).toThrow('--secagg-threshold applies only with --secure-aggregation');
  });
});
