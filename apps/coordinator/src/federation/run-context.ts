import type { LoggerService } from '@nestjs/common';
import type { CheckpointStore } from '../checkpoints/checkpoint-store';
import type { CoordinatorConfig } from '../config/coordinator-config';
import type { CoordinatorStore } from '../store/coordinator-store';
import type { SiteSessions } from '../sites/site-sessions';

/** What a run driver needs from the application, passed as one object. */
export interface RunContext {
  readonly store: CoordinatorStore;
  readonly checkpoints: CheckpointStore;
  readonly sessions: SiteSessions;
  readonly config: CoordinatorConfig;
  readonly logger: LoggerService;
  /** Time source (tests may pin it). */
  readonly now: () => number;
}
