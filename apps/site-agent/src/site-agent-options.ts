import type { MarginalTarget, SiteMeanCorrectionInput, TrainLog } from '@fedsynth/gan';
import type { EvalResult, MaskedUpdate, Phase, TrainResult, VocabularySource } from '@fedsynth/protocol';
import type { LocalEvaluatorOptions } from './local-evaluator';
import type { SiteDataOptions } from './site-data';
import type { VocabularyReleaseOptions } from './vocabulary-release';

/** What the agent reports as it works: aggregates and its own outgoing updates, never a record. */
export type SiteAgentEvent =
  | { type: 'connected' }
  /** `reconnecting`: false when the agent stops instead (a `stopped` event follows). */
  | { type: 'disconnected'; reason: string; reconnecting: boolean }
  /** The agent stopped on its own: the coordinator revoked or refused this site (see SiteAgent.stopped). */
  | { type: 'stopped'; code: string; message: string }
  /** A vocabulary agreed; `dropped`: how many of this site's codes are outside it, and how many training records lost one. */
  | { type: 'vocabulary'; runId: string; source: VocabularySource; size: number; coveredRecords: number; dropped: { codes: number; records: number } }
  /** marginals: the prevalences this round's generator matches (the site's own, or the run's pooled ones); local, never sent. */
  | { type: 'trainStarted'; runId: string; round: number; phase: Phase; marginals?: { source: 'site' | 'pooled'; target: MarginalTarget; correction?: SiteMeanCorrectionInput } }
  | { type: 'trainLog'; log: TrainLog }
  /** The update exactly as sent (tests recompute the federated mean from these). */
  | { type: 'resultSent'; result: TrainResult }
  | { type: 'resultRejected'; round: number; code: string; reason: string }
  /**
   * Secure aggregation: the masked update about to be sent, beside the plain update it hides.
   * In-process only (tests recompute the federated mean from `result`); `result` never leaves the site.
   */
  | { type: 'updateMasked'; result: TrainResult; masked: MaskedUpdate }
  /** The site refused a TrainTask (PRIVACY_BUDGET_EXCEEDED): its budget would be exceeded, or the task has no DP. */
  | { type: 'taskRefused'; runId: string; round: number; code: string; reason: string }
  | { type: 'evalStarted'; runId: string; round: number }
  /** The evaluation result exactly as sent: aggregate metrics and the held-out record count. */
  | { type: 'evalSent'; result: EvalResult }
  /** The evaluation failed here (reported to the coordinator), or the coordinator refused its result. */
  | { type: 'evalFailed'; runId: string; round: number; code: string; reason: string }
  | { type: 'error'; message: string };

/** Why an agent stopped on its own: the coordinator's code and reason, and a message for the operator. */
export interface SiteAgentStop {
  /** The coordinator's error code, e.g. UNAUTHORIZED. */
  code: string;
  /** The coordinator's reason, as it sent it. */
  reason: string;
  /** What to tell the operator (names the cause and what to do). */
  message: string;
}

export interface SiteAgentOptions {
  /** Coordinator base URL, e.g. http://localhost:8080 (the /sites namespace is added). */
  url: string;
  siteId: string;
  token: string;
  data: SiteDataOptions;
  /** Socket.IO reconnection backoff: first delay and cap (ms). Defaults 1 s and 30 s. */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
  /**
   * PEM certificate(s) to trust for an https:// coordinator, beside the system's CAs: the
   * coordinator's self-signed certificate, or the private CA that signed it.
   */
  ca?: string;
  /** How long to wait for each frame's acknowledgement. Default DEFAULT_ACK_TIMEOUT_MS. */
  ackTimeoutMs?: number;
  /** At most one progress Heartbeat per this many ms while a task runs (start and end always go). Default 1000. */
  progressIntervalMs?: number;
  agentVersion?: string;
  /**
   * Announce the secure-aggregation capability (secagg-v1) and take part in its rounds.
   * Default true; false: the coordinator does not admit this site to secure-aggregation runs.
   */
  secureAggregation?: boolean;
  /**
   * Answer a vocabulary proposal that asks for code counts (a run with pooled marginal
   * matching) with the exact number of training records holding each proposed code,
   * small counts included. Default false: such proposals are refused, so no count leaves
   * the site unless its operator chose so. Never with a privacy budget.
   */
  shareCodeCounts?: boolean;
  /**
   * The site's own differential-privacy budget (ε, δ) over everything it releases from its
   * records: it then announces codes from noisy counts (charged to the budget), trains
   * only DP tasks, and refuses a task that would take its ε above `epsilon`
   * (PRIVACY_BUDGET_EXCEEDED). Absent: no budget (DP tasks are still trained and counted).
   */
  privacy?: {
    epsilon: number;
    delta: number;
    vocabulary?: VocabularyReleaseOptions;
    /** JSON file keeping the site's charges across restarts (`--dp-ledger`); without it they live in memory only. */
    ledgerFile?: string;
  };
  /** How evaluation tasks are scored (minimum records, metric settings). */
  evaluation?: LocalEvaluatorOptions;
  /** One line per notable step; aggregate numbers only. Default: none. */
  log?: (line: string) => void;
  onEvent?: (event: SiteAgentEvent) => void;
}
