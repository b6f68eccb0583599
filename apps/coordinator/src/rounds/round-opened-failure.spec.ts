import { PLAN } from '../__fixtures__/plans';
import { createRunState, transition } from './round-state-machine';
import type { RunEvent, RunState } from './round-state';

const T0 = 1_000_000;

function play(state: RunState, ...events: RunEvent[]) {
  const commands = [];
  for (const event of events) {
    const next = transition(state, event);
    state = next.state;
    commands.push(...next.commands);
  }
  return { state, commands };
}

// A round that could not be opened at all (secure aggregation's set-up failed) fails its
// attempt with the owner's reason, through the usual retry path.
describe('roundOpened with a failure', () => {
  const opening = () => play(createRunState({ runId: 'run-1', plan: PLAN }), { type: 'start', at: T0, connected: ['a', 'b', 'c'] }, { type: 'vocabularyAgreed', at: T0 }).state;
  const reason = 'secure aggregation: 1 site sent keys, fewer than the threshold 2';

  it('fails the attempt with the reason and retries', () => {
    const { commands, state } = play(opening(), { type: 'roundOpened', at: T0 + 1, round: 0, attempt: 1, selected: [], failure: reason });
    expect(commands[0]).toEqual({ type: 'roundFailed', runId: 'run-1', round: 0, attempt: 1, reason, willRetry: true });
    expect(state.round).toMatchObject({ attempt: 2, stage: 'opening' });
  });

  it('fails the run with the reason once the retries are spent', () => {
    const { state } = play(
      opening(),
      { type: 'roundOpened', at: T0 + 1, round: 0, attempt: 1, selected: [], failure: reason },
      { type: 'roundOpened', at: T0 + 2, round: 0, attempt: 2, selected: [], failure: reason },
    );
    expect(state.stage).toBe('failed');
    expect(state.reason).toContain(reason);
  });
});
