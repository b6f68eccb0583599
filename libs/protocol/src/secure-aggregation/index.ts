export {
  SECURE_AGGREGATION_ERROR_CODES,
  SecureAggregationError,
  type SecureAggregationErrorCode,
} from './secure-aggregation-error';
export { FIELD_BYTES, FIELD_PRIME } from './prime-field';
export { combineShares, interpolate, shareFromBytes, shareValueBytes, splitSecret, type Share } from './shamir';
export {
  generateX25519KeyPair,
  x25519PublicKey,
  x25519SharedSecret,
  X25519_KEY_BYTES,
  type X25519KeyPair,
} from './x25519';
export { pairwiseMaskSeed, shareEncryptionKey, type SecureAggregationContext } from './key-derivation';
export { addInto, expandMask, SEED_BYTES, subtractInto } from './mask-prg';
export {
  checkFixedPoint,
  createFixedPoint,
  decodeWeightedMean,
  encodeWeightedUpdate,
  meanErrorBound,
  type FixedPointConfig,
} from './fixed-point';
export { checkThreshold, indexRoster, type SecureAggregationParticipant } from './roster';
export {
  pairSeed,
  SecureAggregationSite,
  type AdvertisedKeys,
  type EncryptedShares,
  type RevealedShares,
} from './secure-aggregation-site';
export { unmaskSum, type UnmaskedSum, type UnmaskSumOptions } from './unmask-sum';
export { applyUpdate, flattenUpdate, updateLength } from './weight-update';
