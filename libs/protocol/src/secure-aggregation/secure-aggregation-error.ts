/** Every way a secure-aggregation step can refuse or fail. */
export const SECURE_AGGREGATION_ERROR_CODES = [
  /** A malformed argument: wrong lengths, unknown site, duplicate index, bad threshold. */
  'INVALID_INPUT',
  /** Fewer surviving sites than the threshold t: the round cannot be unmasked. */
  'TOO_FEW_SURVIVORS',
  /** Fewer than t shares of a secret: it cannot be reconstructed (by design). */
  'TOO_FEW_SHARES',
  /** A share or an encrypted share that does not check out (tampered, wrong sender, inconsistent). */
  'BAD_SHARE',
  /** A site refuses to reveal shares that would let the coordinator unmask a single update. */
  'REFUSED_TO_REVEAL',
  /** The fixed-point settings could wrap around 2^32 for the sites and weights allowed. */
  'OVERFLOW',
] as const;

export type SecureAggregationErrorCode = (typeof SECURE_AGGREGATION_ERROR_CODES)[number];

export class SecureAggregationError extends Error {
  override readonly name = 'SecureAggregationError';

  constructor(
    readonly code: SecureAggregationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
