export { assertDpCompatible, type DpOptions } from './dp-options';
export { dpAutoencoderStep, dpDiscriminatorStep, type DpDiscriminatorStepOptions } from './dp-steps';
export type { DpStepSettings } from './private-gradients';
export { poissonSample } from './poisson-sample';
export { dpSampleRate, dpStepsPerEpoch, privacyProvenance, privacySpent, type DpSteps, type PrivacySpent } from './privacy-spent';
