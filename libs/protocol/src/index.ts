/**
 * @fedsynth/protocol — every byte between a site agent and the coordinator.
 *
 * Apps use the plain TypeScript messages below; the protobuf code generated from
 * proto/fedsynth/v1/fedsynth.proto stays private to this library. See README.md for
 * the message flow of a round and the versioning rule.
 */

// Versions and limits
export { PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, checkProtocolVersion } from './version';
export { DEFAULT_LIMITS, resolveLimits, type ProtocolLimits } from './limits';

// Errors
export {
  PROTOCOL_ERROR_CODES,
  ProtocolError,
  isProtocolError,
  isProtocolErrorCode,
  toProtocolError,
  type ProtocolErrorCode,
  type ProtocolErrorContext,
} from './errors/protocol-error';

// Messages
export {
  BODY_KINDS,
  isBodyKind,
  type Ack,
  type Body,
  type BodyKind,
  type BodyMap,
  type BodyOf,
  type Chunk,
  type CodeLevel,
  type DataSummary,
  type DpSettings,
  type MarginalMatching,
  type DType,
  type Envelope,
  type ErrorReply,
  type EvalOptions,
  type EvalResult,
  type EvalTask,
  type Heartbeat,
  type Hello,
  type Metrics,
  type Phase,
  type PrivacySpent,
  type RecordUnit,
  type SiteState,
  type TrainOptions,
  type TrainResult,
  type TrainTask,
  type VocabularyAgreement,
  type VocabularyProposal,
  type VocabularySource,
  type Welcome,
} from './messages/types';
export {
  SECURE_AGGREGATION_CAPABILITY,
  type MaskedUpdate,
  type RevealedShare,
  type SecAggKeyRequest,
  type SecAggKeys,
  type SecAggRoster,
  type SecAggShares,
  type SecureAggregationSettings,
  type UnmaskRequest,
  type UnmaskResponse,
} from './messages/secure-aggregation-types';

// Envelope codec and helpers
export { encodeEnvelope, type EncodeOptions } from './envelope/encode-envelope';
export { decodeEnvelope, type DecodeOptions } from './envelope/decode-envelope';
export {
  createEnvelope,
  errorEnvelope,
  errorFromReply,
  expectBody,
  hasBody,
  newMessageId,
  replyTo,
} from './envelope/create-envelope';

// Weights
export { shapeSize, weightSetBytes, type NamedTensor, type WeightSet } from './tensors/weight-set';
export { decodeWeightSet, encodeWeightSet } from './tensors/weight-set-bytes';
export {
  FLOAT16_MAX,
  FLOAT16_MIN_NORMAL,
  float16ToFloat32,
  float32ToFloat16,
  fromFloat16Bits,
  toFloat16Bits,
} from './tensors/float16';
export { measureFloat16Error, type Float16ErrorReport } from './tensors/float16-error';
export { firstNonFinite } from './tensors/finite';

// Vocabulary
export { digestsEqual, vocabularyDigest } from './vocabulary/vocabulary-digest';

// Chunking and framing
export { splitIntoChunks } from './chunking/split-into-chunks';
export { ChunkAssembler, type ChunkAssemblerOptions } from './chunking/chunk-assembler';
export { DEFAULT_MAX_FRAME_BYTES, encodeFrames, type FrameOptions } from './chunking/encode-frames';
export { FrameReceiver, type FrameReceiverOptions } from './chunking/frame-receiver';

// Socket.IO surface
export {
  DEFAULT_ACK_TIMEOUT_MS,
  SITES_NAMESPACE,
  WIRE_EVENTS,
  type ClientToServerEvents,
  type FrameAck,
  type FrameListener,
  type InterServerEvents,
  type ServerToClientEvents,
  type SiteSocketData,
} from './socket/wire-events';
export { handshakeAuth, parseHandshakeAuth, type HandshakeAuth } from './socket/handshake-auth';

// Secure aggregation (Bonawitz et al. 2017): masks, Shamir shares, fixed point, unmasking
export * from './secure-aggregation';
