/**
 * @fedsynth/coordinator — the coordinator: strategies, update validation, the
 * SQLite store, checkpoints, configuration and the round state machine, plus the Nest
 * modules that provide them, and the federation on top: round service, Socket.IO gateway,
 * REST API, generator export and startCoordinator. See README.md.
 */

// Errors
export { CoordinatorError } from './errors/coordinator-error';

// Strategies and aggregation math
export type {
  AggregateEvaluateInput,
  AggregateEvaluateOutput,
  AggregateTrainInput,
  AggregateTrainOutput,
  AggregationSummary,
  AvailableSite,
  ConfigureEvaluateInput,
  ConfigureTrainInput,
  EvaluateInstruction,
  SiteEvaluateResult,
  SiteFailure,
  SiteTrainResult,
  Strategy,
  StrategyState,
  TrainInstruction,
} from './strategies/strategy';
export { BaseStrategy, DEFAULT_SELECTION, type SelectionStrategyOptions } from './strategies/base.strategy';
export { FedAvg, type FedAvgOptions } from './strategies/fed-avg.strategy';
export { DEFAULT_FED_ADAM, FedAdam, type FedAdamOptions } from './strategies/fed-adam.strategy';
export { FedMedian, type FedMedianOptions } from './strategies/fed-median.strategy';
export { DEFAULT_TRIM_FRACTION, FedTrimmedMean, type FedTrimmedMeanOptions } from './strategies/fed-trimmed-mean.strategy';
export { createStrategy, STRATEGY_NAMES, type StrategyConfig } from './strategies/create-strategy';
export { selectSites, selectionSize, siteSeed, type SiteSelectionOptions } from './strategies/site-selection';
export { weightedMean, type WeightedUpdate } from './strategies/weighted-mean';
export { coordinateMedian } from './strategies/coordinate-median';
export { trimmedMean } from './strategies/trimmed-mean';
export { weightedMetrics } from './strategies/weighted-metrics';
export type { AggregationReference, LabelledWeights } from './strategies/aggregation-input';
export { alignToLayout, compareLayouts, describeLayoutProblems, type LayoutLabels, type LayoutProblem } from './weights/weight-layout';

// Update validation
export {
  DEFAULT_MAX_RELATIVE_NORM,
  DEFAULT_NORM_EPSILON,
  validateUpdate,
  type UpdateAcceptance,
  type UpdateRejection,
  type UpdateRejectionCode,
  type UpdateVerdict,
  type ValidateUpdateOptions,
} from './updates/validate-update';
export { l2Norm } from './updates/update-norm';

// Store
export type { Database } from './store/database';
export { openDatabase, type OpenDatabaseOptions } from './store/open-database';
export { MIGRATIONS, migrate, schemaVersion, type Migration } from './store/migrations';
export { CoordinatorStore } from './store/coordinator-store';
export { generateSiteToken, hashSiteToken, verifySiteToken } from './store/site-token';
export { SiteRepository, type SiteAuthFailure, type SiteAuthResult, type SiteRecord } from './store/site.repository';
export { openExistingStore, reissueSiteToken, revokeSite, type AdminChannel, type SiteReissue, type SiteRevocation } from './store/site-admin';
export { RunRepository, type RunOptions, type RunRecord, type RunStatus } from './store/run.repository';
export {
  RoundRepository,
  type ContributionInput,
  type ContributionRecord,
  type FileRef,
  type RoundKey,
  type RoundRecord,
  type RoundStatus,
} from './store/round.repository';
export { AuditRepository, type AuditEntry } from './store/audit.repository';
export { DATABASE, StoreModule } from './store/store.module';

// Checkpoints
export {
  CHECKPOINT_LIMITS,
  CheckpointStore,
  sha256Hex,
  type CheckpointKind,
  type CheckpointRef,
  type CheckpointStoreOptions,
  type SavedCheckpoint,
} from './checkpoints/checkpoint-store';
export { writeFileAtomic } from './checkpoints/atomic-write';

// Configuration
export {
  CONFIG_VARIABLES,
  ConfigError,
  loadCoordinatorConfig,
  type CoordinatorConfig,
  type Environment,
  type LogLevel,
} from './config/coordinator-config';
export { COORDINATOR_CONFIG, ConfigModule } from './config/config.module';

// Rounds
export { checkRunPlan, phaseOfRound, totalRounds, type PhasePlan, type RunPlan } from './rounds/run-plan';
export type {
  AcceptedResult,
  ResultRejection,
  ResultRejectionKind,
  RoundFailure,
  RoundStage,
  RoundState,
  RunCommand,
  RunEvent,
  RunStage,
  RunState,
  Transition,
} from './rounds/round-state';
export { createRunState, outstandingSites, screenResult, transition } from './rounds/round-state-machine';
export { priorAttemptsOf, restoreRunState, type PersistedRound, type PersistedRun } from './rounds/restore-run-state';

// Application
export { AppModule } from './app.module';

// Federation: round service, sites gateway, REST API, generator export, start-up
export { checkRunOptions, DEFAULT_PHASES, DEFAULT_RUN_OPTIONS, type FederatedRunOptions, type ModelArchitecture } from './federation/run-options';
export { encodeModelSpec } from './federation/model-spec';
export { RunDriver } from './federation/run-driver';
export { RoundService } from './federation/round.service';
export { FederationModule } from './federation/federation.module';
export { agreeVocabulary, vocabularySource, type VocabularyOutcome } from './federation/vocabulary-agreement';
export { checkFixedVocabulary, fixedCodeProblem, MAX_FIXED_VOCABULARY_CODES } from './federation/fixed-vocabulary';
export { SiteSessions, type SiteSession, type SiteSessionListener } from './sites/site-sessions';
export { SitesGateway } from './sites/sites.gateway';
export { authenticateSite } from './sites/site-auth';
export { GENERATOR_FILES, GeneratorExportService } from './generator/generator-export.service';
export { AdminTokenGuard } from './api/admin-token.guard';

// Dashboard (login sessions, pages, live view over Socket.IO on /dashboard)
export { AdminSessions, CSRF_HEADER, SESSION_COOKIE } from './dashboard/admin-sessions';
export { AdminSessionsModule } from './dashboard/admin-sessions.module';
export { DashboardModule } from './dashboard/dashboard.module';
export { DASHBOARD_NAMESPACE } from './dashboard/dashboard.gateway';
export { addSite, CoordinatorModule, startCoordinator, type RunningCoordinator } from './start-coordinator';
