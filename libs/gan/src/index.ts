export * from './errors/fedsynth-error';
export * from './data';
