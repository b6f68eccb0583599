/** The two targets for the federation-gain experiment. */
export interface FederationGain {
  federatedRmse: number;
  centralisedRmse: number;
  averageSiteRmse: number;
  /** federatedRmse / centralisedRmse; target ≤ 1.10 (within 10 % of centralised). */
  ratioToCentralised: number;
  withinTenPercent: boolean;
  /** Target: the federated generator's RMSE is lower than the mean RMSE of the sites training alone. */
  beatsAverageSite: boolean;
}

/** Compares prevalence RMSEs (lower is better) measured on the same pooled holdout. */
export function federationGain(input: { federatedRmse: number; centralisedRmse: number; siteRmses: readonly number[] }): FederationGain {
  const { federatedRmse, centralisedRmse, siteRmses } = input;
  const check = (name: string, value: number) => {
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${name} must be a number ≥ 0, got ${value}`);
  };
  check('federated RMSE', federatedRmse);
  check('centralised RMSE', centralisedRmse);
  siteRmses.forEach((value, i) => check(`site ${i + 1} RMSE`, value));
  if (siteRmses.length === 0) throw new RangeError('no site-alone RMSE to compare with');
  if (centralisedRmse === 0) throw new RangeError('centralised RMSE is 0: the ratio is undefined');
  const averageSiteRmse = siteRmses.reduce((a, b) => a + b, 0) / siteRmses.length;
  const ratioToCentralised = federatedRmse / centralisedRmse;
  return {
    federatedRmse,
    centralisedRmse,
    averageSiteRmse,
    ratioToCentralised,
    withinTenPercent: ratioToCentralised <= 1.1,
    beatsAverageSite: federatedRmse < averageSiteRmse,
  };
}
