import type { Heartbeat } from '@fedsynth/protocol';
import { ProgressHeartbeats, trainProgress } from './progress-heartbeats';

describe('trainProgress', () => {
  it('is the share of the planned steps done', () => {
    expect(trainProgress({ step: 3, epochs: 2, stepsPerEpoch: 4 })).toBe(3 / 8);
    expect(trainProgress({ step: 8, epochs: 2, stepsPerEpoch: 4 })).toBe(1);
  });

  it('stays in [0, 1] and is 0 when nothing is planned', () => {
    expect(trainProgress({ step: 9, epochs: 2, stepsPerEpoch: 4 })).toBe(1);
    expect(trainProgress({ step: 5, epochs: 0, stepsPerEpoch: 4 })).toBe(0);
    expect(trainProgress({ step: Number.NaN, epochs: 1, stepsPerEpoch: 4 })).toBe(0);
  });
});

describe('ProgressHeartbeats', () => {
  function setup(minIntervalMs = 1000) {
    let now = 10_000;
    const sent: Heartbeat[] = [];
    const heartbeats = new ProgressHeartbeats({ send: (h) => sent.push(h), minIntervalMs, now: () => now });
    return { heartbeats, sent, advance: (ms: number) => (now += ms) };
  }

  it('sends the start, at most one update per interval, and the end', () => {
    const { heartbeats, sent, advance } = setup();
    heartbeats.begin({ runId: 'run-1', round: 2 }, 'training');
    advance(100);
    heartbeats.update(0.2); // within the interval: held back
    advance(950);
    heartbeats.update(0.5);
    advance(10);
    heartbeats.update(0.7); // held back
    heartbeats.end();
    expect(sent.map((h) => h.progress)).toEqual([0, 0.5, 1]);
    expect(sent[0]).toEqual({ sentAtUnixMs: 10_000, state: 'training', runId: 'run-1', round: 2, progress: 0 });
    expect(sent.every((h) => h.runId === 'run-1' && h.round === 2 && h.state === 'training')).toBe(true);
  });

  it('never goes backwards within a task, clamps to [0, 1] and ignores updates outside a task', () => {
    const { heartbeats, sent, advance } = setup(0);
    heartbeats.update(0.4);
    expect(sent).toEqual([]);
    heartbeats.begin({ runId: 'r', round: 0 }, 'evaluating');
    advance(1);
    heartbeats.update(0.6);
    advance(1);
    heartbeats.update(0.3); // an autoencoder epoch log after a step: still 0.6
    advance(1);
    heartbeats.update(7);
    advance(1);
    heartbeats.update(Number.NaN);
    heartbeats.end();
    heartbeats.end();
    expect(sent.map((h) => h.progress)).toEqual([0, 0.6, 0.6, 1, 1]);
    expect(sent.every((h) => h.state === 'evaluating')).toBe(true);
  });

  it('starts each task from 0', () => {
    const { heartbeats, sent } = setup(0);
    heartbeats.begin({ runId: 'r', round: 0 }, 'training');
    heartbeats.end();
    heartbeats.begin({ runId: 'r', round: 1 }, 'training');
    expect(sent.map((h) => [h.round, h.progress])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
  });
});
