export { logAddExp, logSubExp, logErfc, erfc, logNormalCdf } from './log-math';
export { sampledGaussianRdp } from './sampled-gaussian-rdp';
export {
  DEFAULT_RDP_ORDERS,
  composeRdp,
  computeEpsilon,
  dpSgdSegment,
  epsilonAtOrder,
  epsilonFromRdp,
  validateSegment,
  type ComputeEpsilonOptions,
  type EpsilonResult,
  type RdpConversion,
  type SampledGaussianSegment,
} from './rdp-accountant';
export {
  assertWithinBudget,
  checkPrivacyBudget,
  validateBudget,
  type BudgetCheck,
  type BudgetCheckOptions,
  type PrivacyBudget,
} from './privacy-budget';
export { secureRandomness, seededRandomness, type DpRandomness } from './dp-randomness';
export {
  matrixRecordCodes,
  noisyCodeCounts,
  type NoisyCodeCounts,
  type NoisyCodeCountsOptions,
} from './noisy-code-counts';
export { noisyPrevalence, type NoisyPrevalence, type NoisyPrevalenceOptions } from './noisy-prevalence';
