import type { ProtocolLimits } from '../limits';
import type { DType } from './types';

/** Settings of one encode, resolved from EncodeOptions (envelope/encode-envelope.ts). */
export interface EncodeContext {
  readonly limits: ProtocolLimits;
  /**
   * Wire dtype of weight tensors. float16 halves the bytes; a tensor holding values beyond
   * ±65504 is sent as float32 anyway, so compression can never turn weights into Infinity.
   */
  readonly weightDtype: DType;
  /** Scan weights for NaN/±Infinity before sending (receivers always scan; default off). */
  readonly checkFinite: boolean;
  readonly hostIsLittleEndian: boolean;
}

/** Settings of one decode, resolved from DecodeOptions (envelope/decode-envelope.ts). */
export interface DecodeContext {
  readonly limits: ProtocolLimits;
  /**
   * Copy tensor data out of the received bytes. Off by default: float32 tensors are then
   * views over the input (no copy), valid as long as the caller does not reuse that buffer.
   */
  readonly copyTensors: boolean;
  readonly hostIsLittleEndian: boolean;
}
