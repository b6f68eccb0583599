import { federationGain } from './federation-gain';

describe('federation gain', () => {
  it('meets both targets when federated is within 10 % of centralised and below the sites\' mean', () => {
    const gain = federationGain({ federatedRmse: 0.0105, centralisedRmse: 0.01, siteRmses: [0.012, 0.02, 0.016] });

    expect(gain.ratioToCentralised).toBeCloseTo(1.05, 12);
    expect(gain.averageSiteRmse).toBeCloseTo(0.016, 12);
    expect(gain).toMatchObject({ withinTenPercent: true, beatsAverageSite: true });
  });

  it('misses them when federated is 20 % worse than centralised and no better than the sites\' mean', () => {
    const gain = federationGain({ federatedRmse: 0.012, centralisedRmse: 0.01, siteRmses: [0.012, 0.012] });

    expect(gain).toMatchObject({ withinTenPercent: false, beatsAverageSite: false });
  });

  it('refuses values it cannot compare, naming them', () => {
    expect(() => federationGain({ federatedRmse: Number.NaN, centralisedRmse: 0.01, siteRmses: [0.02] })).toThrow('federated RMSE must be a number ≥ 0, got NaN');
    expect(() => federationGain({ federatedRmse: 0.01, centralisedRmse: 0.01, siteRmses: [0.02, -1] })).toThrow('site 2 RMSE must be a number ≥ 0, got -1');
    expect(() => federationGain({ federatedRmse: 0.01, centralisedRmse: 0.01, siteRmses: [] })).toThrow('no site-alone RMSE to compare with');
    expect(() => federationGain({ federatedRmse: 0.01, centralisedRmse: 0, siteRmses: [0.02] })).toThrow('centralised RMSE is 0: the ratio is undefined');
  });
});
