const MiB = 1024 * 1024;

/**
 * Bounds enforced on every message, so hostile or broken bytes cannot make a receiver
 * allocate without limit. Defaults fit a medGAN on all 6,984 ICD-9 codes many times over.
 */
export interface ProtocolLimits {
  /** Largest encoded envelope accepted (whole, after chunk reassembly). */
  readonly maxMessageBytes: number;
  /** Largest weight set, counted as float32 bytes (elements × 4) whatever the wire dtype. */
  readonly maxWeightBytes: number;
  readonly maxTensors: number;
  /** Highest tensor rank (dense kernels are 2, conv kernels 4; scalars are 0). */
  readonly maxRank: number;
  readonly maxNameLength: number;
  /** Ids, versions, reasons and other free strings. */
  readonly maxStringLength: number;
  readonly maxMetrics: number;
  readonly maxCodes: number;
  readonly maxCodeLength: number;
  /**
   * Bytes of a message outside tensor and chunk data (names, shapes, codes, metrics).
   * Checked before decoding, with per-message field counts, because small elements take
   * far more memory decoded than on the wire (see wire/structure-scan.ts).
   */
  readonly maxStructureBytes: number;
}

export const DEFAULT_LIMITS: ProtocolLimits = Object.freeze({
  // One spare MiB over the weights for names, metrics and framing.
  maxMessageBytes: 257 * MiB,
  maxWeightBytes: 256 * MiB,
  maxTensors: 1024,
  maxRank: 4,
  maxNameLength: 256,
  maxStringLength: 4096,
  maxMetrics: 256,
  maxCodes: 200_000,
  maxCodeLength: 32,
  // 200,000 codes of up to 32 characters fit, with room to spare.
  maxStructureBytes: 8 * MiB,
});

/** Defaults overridden by whatever the caller sets. */
export function resolveLimits(overrides: Partial<ProtocolLimits> = {}): ProtocolLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
