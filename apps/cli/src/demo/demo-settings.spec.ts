import path from 'node:path';
import type { OptionValues } from '../command';
import { DEMO_PLAN, demoSettings } from './demo-settings';

describe('demoSettings', () => {
  it('defaults to the bundled demo over three sites with the short plan, in out/demo', () => {
    expect(demoSettings({}, [])).toEqual({
      out: path.resolve('out/demo'),
      sites: 3,
      patients: undefined,
      port: 0,
      aeRounds: DEMO_PLAN.aeRounds,
      ganRounds: DEMO_PLAN.ganRounds,
      localEpochs: DEMO_PLAN.localEpochs,
      batchSize: DEMO_PLAN.batchSize,
      minCodeCount: 2,
      samples: 1000,
      keepRunning: false,
    });
  });

  it('takes a simulated cohort, sites, port, plan and --keep-running', () => {
    const values: OptionValues = { out: '/tmp/d', patients: '5000', sites: '5', port: '4810', 'ae-rounds': '0', 'gan-rounds': '4', 'local-epochs': '2', 'keep-running': true };
    expect(demoSettings(values, [])).toMatchObject({ out: '/tmp/d', patients: 5000, sites: 5, port: 4810, aeRounds: 0, ganRounds: 4, localEpochs: 2, minCodeCount: 5, keepRunning: true });
  });

  it.each<[OptionValues, string]>([
    [{ sites: '0' }, "--sites must be a whole number from 1 to 16, got '0'"],
    [{ sites: 'three' }, "--sites must be a whole number from 1 to 16, got 'three'"],
    [{ sites: '9' }, "the bundled demo's 100 patients are too few for 9 sites (at most 8); add --patients 113 for a simulated cohort"],
    [{ patients: '100', sites: '10' }, '--patients 100 is too few for 10 sites: after holding out 20% each site needs at least 10 patients (try --patients 125)'],
    [{ patients: '1e4' }, "--patients must be a whole number from 1 to 10000000, got '1e4'"],
    [{ port: '70000' }, "--port must be a whole number from 0 to 65535, got '70000'"],
    [{ 'gan-rounds': '0' }, "--gan-rounds must be a whole number from 1 to 10000, got '0'"],
    [{ out: ' ' }, '--out must not be empty'],
  ])('refuses %j', (values, message) => {
    expect(() => demoSettings(values, [])).toThrow(message);
  });

  it('refuses positional arguments', () => {
    expect(() => demoSettings({}, ['now'])).toThrow("unexpected argument 'now' (fedsynth demo takes options only)");
  });
});
