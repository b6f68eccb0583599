import type { ProtocolErrorCode } from '../errors/protocol-error';
import type { WeightSet } from '../tensors/weight-set';
import type {
  MaskedUpdate,
  SecAggKeyRequest,
  SecAggKeys,
  SecAggRoster,
  SecAggShares,
  SecureAggregationSettings,
  UnmaskRequest,
  UnmaskResponse,
} from './secure-aggregation-types';

/**
 * The messages as the apps use them: plain TypeScript values with string enums and
 * Float32Array weights. The codecs translate them to and from the generated protobuf
 * classes, which stay private to this library.
 */

/** Element type of a tensor on the wire; in memory every tensor is float32. */
export type DType = 'float32' | 'float16';
export type Phase = 'autoencoder' | 'gan';
export type RecordUnit = 'patient' | 'admission';
export type CodeLevel = 'full' | 'category';
export type VocabularySource = 'fixed' | 'union';
export type SiteState = 'idle' | 'training' | 'evaluating';

/** Named aggregate numbers (losses, scores); finite values only. */
export type Metrics = Record<string, number>;

export interface Hello {
  siteId: string;
  agentVersion: string;
  /** Dtypes this site can decode in tasks (float32 is always accepted). */
  acceptedDtypes: DType[];
  /** Optional features this site supports, e.g. SECURE_AGGREGATION_CAPABILITY; absent: none. */
  capabilities?: string[];
}

export interface Welcome {
  sessionId: string;
  coordinatorVersion: string;
  heartbeatIntervalMs: number;
  /** Largest encoded envelope the coordinator accepts; larger ones travel in chunks. */
  maxMessageBytes: number;
  maxChunkBytes: number;
  /** Dtypes the coordinator accepts in results (float32 is always accepted). */
  acceptedDtypes: DType[];
}

export interface Heartbeat {
  sentAtUnixMs: number;
  state: SiteState;
  /** Empty when idle. */
  runId: string;
  round?: number;
  /** Progress of the current task in [0, 1]. */
  progress: number;
}

/** Aggregates of a site's data: counts and codes held by ≥ k records, never records. */
export interface DataSummary {
  recordCount: number;
  recordUnit: RecordUnit;
  codeLevel: CodeLevel;
  /** k: only codes held by at least this many records are listed. */
  minCodeCount: number;
  codes: string[];
  /**
   * Set when the site has a privacy budget: the codes come from noisy counts (Gaussian
   * noise before the k threshold), and this is what the site has spent so far.
   */
  privacy?: PrivacySpent;
}

/**
 * The ordered vocabulary proposed for a run. Its digest (sha256 of the codes joined by
 * "\n", as libs/gan's vocabularyHash) is added on encode and checked on decode.
 */
export interface VocabularyProposal {
  runId: string;
  codes: string[];
  source: VocabularySource;
  codeLevel: CodeLevel;
  minCodeCount: number;
  /** True: answer with code counts (runs matching pooled prevalences, never with dp). */
  codeCountsWanted?: boolean;
}

export interface VocabularyAgreement {
  runId: string;
  /** vocabularyDigest(proposal.codes) as computed by the site. */
  digest: Uint8Array;
  accepted: boolean;
  /** Records of this site holding at least one vocabulary code. */
  coveredRecordCount: number;
  /** Why the site refuses (empty when accepted). */
  reason: string;
  /** When the proposal wanted them: per proposed code, the site's training records holding it. */
  codeCounts?: Float32Array;
  /** With codeCounts: the site's training records. */
  trainingRecordCount?: number;
}

/** DP-SGD settings of a TrainTask: the site Poisson-samples with q = expectedBatchSize ÷ its records. */
export interface DpSettings {
  /** σ > 0: noise standard deviation ÷ clip norm. */
  noiseMultiplier: number;
  /** C > 0: per-record gradient L2 clip norm. */
  clipNorm: number;
  /** ≥ 1: the expected Poisson batch size (q = expectedBatchSize ÷ records, capped at 1). */
  expectedBatchSize: number;
}

/** Marginal matching in GAN rounds (under DP, minibatch averaging's substitute): see the .proto. */
export interface MarginalMatching {
  /** > 0: weight of Σ_codes KL(site prevalence ‖ fake batch prevalence) in the generator's loss. */
  weight: number;
  /** 0: the site's exact prevalences (runs without dp); z > 0: a one-off noisy release (required with dp). */
  noiseMultiplier: number;
  /** Runs without dp: the sites' pooled prevalences, one per code, matched instead of the site's own. */
  pooledPrevalence?: Float32Array;
  /** With pooledPrevalence only: centre the real batch means the discriminator sees on the pooled prevalences. */
  correctBatchMeans?: boolean;
}

/** A site's privacy loss so far (its own RDP accountant), over everything it released. */
export interface PrivacySpent {
  /** ε ≥ 0 at `delta`. */
  epsilon: number;
  /** δ in (0, 1). */
  delta: number;
  /** DP-SGD steps taken on the site's records so far, over all rounds. */
  steps: number;
}

export interface TrainOptions {
  /** Whole passes over the site's records per round (unless localSteps is set). */
  localEpochs: number;
  /**
   * Minibatches of the site's records per round instead of whole epochs (local steps; the last
   * epoch may end part-way). Absent: localEpochs epochs.
   */
  localSteps?: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Strategy-specific numeric settings (e.g. a proximal term). */
  extra: Metrics;
}

export interface TrainTask {
  runId: string;
  round: number;
  phase: Phase;
  modelFamily: string;
  weights: WeightSet;
  options: TrainOptions;
  /** Results arriving after this instant are rejected as late; absent: no deadline. */
  deadlineUnixMs?: number;
  /** Present: train with DP-SGD under these settings. */
  dp?: DpSettings;
  /** Marginal matching in GAN rounds; absent: off. */
  marginals?: MarginalMatching;
  /** Present: answer with a MaskedUpdate made under these settings, not a TrainResult. */
  secureAggregation?: SecureAggregationSettings;
}

export interface TrainResult {
  runId: string;
  round: number;
  phase: Phase;
  /** Records trained on (≥ 1): the FedAvg weight of this update. */
  recordCount: number;
  weights: WeightSet;
  metrics: Metrics;
  /** Present when the site trained under DP: its privacy loss after this round. */
  privacy?: PrivacySpent;
  /** Minibatches of real records (≥ 1) the site trained on this round; FedNova divides by it. */
  localSteps?: number;
}

export interface EvalOptions {
  sampleCount: number;
  seed: number;
  /** Metrics to compute; empty: the site's default set. */
  metrics: string[];
  /** Numeric settings: the model's architecture (`model.*` keys, as in TrainOptions.extra). */
  extra: Metrics;
}

export interface EvalTask {
  runId: string;
  round: number;
  /** Family of the model the weights belong to (as TrainTask.modelFamily). */
  modelFamily: string;
  /** The global generator to evaluate against the site's held-out records. */
  weights: WeightSet;
  options: EvalOptions;
  deadlineUnixMs?: number;
}

/** Aggregate metrics only: nothing per record leaves the site. */
export interface EvalResult {
  runId: string;
  round: number;
  recordCount: number;
  metrics: Metrics;
}

/** One piece of an encoded envelope too large to send whole (see chunking/). */
export interface Chunk {
  /** messageId of the envelope being carried. */
  messageId: string;
  index: number;
  total: number;
  totalBytes: number;
  /** sha256 of the whole encoded envelope. */
  digest: Uint8Array;
  data: Uint8Array;
}

/** Positive acknowledgement of the envelope named by `inReplyTo`. */
export type Ack = Record<string, never>;

/** A refusal or failure answering the envelope named by `inReplyTo`. */
export interface ErrorReply {
  code: ProtocolErrorCode;
  reason: string;
}

/** Body kind → body type. Kinds are the Envelope oneof field names. */
export interface BodyMap {
  hello: Hello;
  welcome: Welcome;
  dataSummary: DataSummary;
  vocabularyProposal: VocabularyProposal;
  vocabularyAgreement: VocabularyAgreement;
  trainTask: TrainTask;
  trainResult: TrainResult;
  evalTask: EvalTask;
  evalResult: EvalResult;
  heartbeat: Heartbeat;
  chunk: Chunk;
  ack: Ack;
  secAggKeyRequest: SecAggKeyRequest;
  secAggKeys: SecAggKeys;
  secAggRoster: SecAggRoster;
  secAggShares: SecAggShares;
  maskedUpdate: MaskedUpdate;
  unmaskRequest: UnmaskRequest;
  unmaskResponse: UnmaskResponse;
  error: ErrorReply;
}

export type BodyKind = keyof BodyMap;

/** A body tagged with its kind; narrowing on `kind` types `value`. */
export type Body = { [K in BodyKind]: { kind: K; value: BodyMap[K] } }[BodyKind];

export type BodyOf<K extends BodyKind> = Extract<Body, { kind: K }>;

export interface Envelope<B extends Body = Body> {
  protocolVersion: number;
  /** Unique per message (a UUID); replies and chunks refer to it. */
  messageId: string;
  /** messageId of the request this answers; empty otherwise. */
  inReplyTo: string;
  body: B;
}

// A Record over every kind, so a new kind missing here fails to compile.
const KIND_SET: Readonly<Record<BodyKind, true>> = {
  hello: true,
  welcome: true,
  dataSummary: true,
  vocabularyProposal: true,
  vocabularyAgreement: true,
  trainTask: true,
  trainResult: true,
  evalTask: true,
  evalResult: true,
  heartbeat: true,
  chunk: true,
  ack: true,
  secAggKeyRequest: true,
  secAggKeys: true,
  secAggRoster: true,
  secAggShares: true,
  maskedUpdate: true,
  unmaskRequest: true,
  unmaskResponse: true,
  error: true,
};

export const BODY_KINDS: readonly BodyKind[] = Object.freeze(Object.keys(KIND_SET) as BodyKind[]);

export function isBodyKind(value: unknown): value is BodyKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(KIND_SET, value);
}
