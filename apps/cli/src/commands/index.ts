import type { CommandEntry } from '../command';

export const COMMANDS: readonly CommandEntry[] = [
  {
    path: ['data', 'inspect'],
    summary: 'Read a data set and print records, codes and code frequencies',
    load: async () => (await import('./data-inspect.command')).dataInspectCommand,
  },
  {
    path: ['data', 'split'],
    summary: 'Split a MIMIC-III folder by patient into site folders and a holdout',
    load: async () => (await import('./data-split.command')).dataSplitCommand,
  },
  {
    path: ['simulate'],
    summary: 'Write a simulated multi-hospital cohort in MIMIC-III layout',
    load: async () => (await import('./simulate.command')).simulateCommand,
  },
  {
    path: ['train'],
    summary: 'Train a generator centrally on one data set and export it',
    load: async () => (await import('./train.command')).trainCommand,
  },
  {
    path: ['sample'],
    summary: 'Sample synthetic patients from an exported generator to CSV',
    load: async () => (await import('./sample.command')).sampleCommand,
  },
  {
    path: ['evaluate'],
    summary: 'Score synthetic records for fidelity, utility and privacy against baselines',
    load: async () => (await import('./evaluate.command')).evaluateCommand,
  },
  {
    path: ['demo'],
    summary: 'Run a whole federation on this machine: coordinator, sites, training, samples, report',
    load: async () => (await import('./demo.command')).demoCommand,
  },
  {
    path: ['bench', 'backend'],
    summary: 'Measure matMul GFLOP/s on each available TensorFlow.js backend',
    load: async () => (await import('./bench-backend.command')).benchBackendCommand,
  },
  {
    path: ['coordinator'],
    summary: 'Run the federation coordinator (Socket.IO for sites, admin REST API)',
    load: async () => (await import('./coordinator.command')).coordinatorCommand,
  },
  {
    path: ['coordinator', 'add-site'],
    summary: 'Register a hospital site, or --rotate its token; prints the token (shown once)',
    load: async () => (await import('./coordinator-add-site.command')).coordinatorAddSiteCommand,
  },
  {
    path: ['coordinator', 'revoke-site'],
    summary: "Revoke a site's token (audited); a running coordinator refuses it",
    load: async () => (await import('./coordinator-revoke-site.command')).coordinatorRevokeSiteCommand,
  },
  {
    path: ['site'],
    summary: 'Run a hospital site agent: train locally for the coordinator',
    load: async () => (await import('./site.command')).siteCommand,
  },
  {
    path: ['run', 'create'],
    summary: 'Create a federated training run on the coordinator and print its id',
    load: async () => (await import('./run-create.command')).runCreateCommand,
  },
  {
    path: ['run', 'start'],
    summary: 'Start (or resume) a federated run',
    load: async () => (await import('./run-start.command')).runStartCommand,
  },
  {
    path: ['run', 'status'],
    summary: 'Show a run: status, phase, round and recent round attempts',
    load: async () => (await import('./run-status.command')).runStatusCommand,
  },
  {
    path: ['run', 'wait'],
    summary: 'Wait for a run to end, with progress; non-zero exit if it failed',
    load: async () => (await import('./run-wait.command')).runWaitCommand,
  },
  {
    path: ['run', 'stop'],
    summary: 'Stop a run; completed rounds are kept and it can be started again',
    load: async () => (await import('./run-stop.command')).runStopCommand,
  },
  {
    path: ['run', 'list'],
    summary: 'List runs: id, status, model, phase/round, created',
    load: async () => (await import('./run-list.command')).runListCommand,
  },
  {
    path: ['privacy', 'epsilon'],
    summary: 'Print the (ε, δ) of DP-SGD for a sampling rate, noise multiplier and step count',
    load: async () => (await import('./privacy-epsilon.command')).privacyEpsilonCommand,
  },
  {
    path: ['pull'],
    summary: "Download a run's federated generator for 'fedsynth sample'",
    load: async () => (await import('./pull.command')).pullCommand,
  },
];
