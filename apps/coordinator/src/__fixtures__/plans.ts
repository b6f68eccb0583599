import type { RunPlan } from '../rounds/run-plan';

/** Two autoencoder rounds then three GAN rounds; quorum 2; one retry. */
export const PLAN: RunPlan = Object.freeze({
  phases: [
    { phase: 'autoencoder', rounds: 2 },
    { phase: 'gan', rounds: 3 },
  ],
  minSites: 2,
  roundDeadlineMs: 60_000,
  maxRoundRetries: 1,
  evaluateEvery: 0,
}) as RunPlan;
