import type { CommandEntry } from '../command';

export const COMMANDS: readonly CommandEntry[] = [
  {
    path: ['data', 'inspect'],
    summary: 'Read a data set and print records, codes and code frequencies',
    load: async () => (await import('./data-inspect.command')).dataInspectCommand,
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
    path: ['bench', 'backend'],
    summary: 'Measure matMul GFLOP/s on each available TensorFlow.js backend',
    load: async () => (await import('./bench-backend.command')).benchBackendCommand,
  },
];
