import type { TrainLog } from '@fedsynth/gan';
import type { Phase, TrainResult } from '@fedsynth/protocol';
import type { SiteDataOptions } from './site-data';

/** What the agent reports as it works: aggregates and its own outgoing updates, never a record. */
export type SiteAgentEvent =
  | { type: 'connected' }
  | { type: 'disconnected'; reason: string }
  | { type: 'vocabulary'; runId: string; size: number; coveredRecords: number }
  | { type: 'trainStarted'; runId: string; round: number; phase: Phase }
  | { type: 'trainLog'; log: TrainLog }
  /** The update exactly as sent (tests recompute the federated mean from these). */
  | { type: 'resultSent'; result: TrainResult }
  | { type: 'resultRejected'; round: number; code: string; reason: string }
  | { type: 'error'; message: string };

export interface SiteAgentOptions {
  /** Coordinator base URL, e.g. http://localhost:8080 (the /sites namespace is added). */
  url: string;
  siteId: string;
  token: string;
  data: SiteDataOptions;
  /** Socket.IO reconnection backoff: first delay and cap (ms). Defaults 1 s and 30 s. */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
  /** How long to wait for each frame's acknowledgement. Default DEFAULT_ACK_TIMEOUT_MS. */
  ackTimeoutMs?: number;
  agentVersion?: string;
  /** One line per notable step; aggregate numbers only. Default: none. */
  log?: (line: string) => void;
  onEvent?: (event: SiteAgentEvent) => void;
}
