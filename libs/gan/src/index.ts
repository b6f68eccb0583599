export * from './errors/fedsynth-error';
export * from './data';
export * from './data/simulate';
export * from './backend';
export * from './metrics';
export * from './model';
export * from './privacy';
export * from './privacy/dp-sgd';
