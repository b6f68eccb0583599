import { EvaluationRound } from './evaluation-round';

describe('EvaluationRound', () => {
  const T = 1_000;
  const round = () => new EvaluationRound('run-1', 4, ['c', 'a', 'b'], T + 100);

  it('is done once every asked site sent metrics or failed', () => {
    const evaluation = round();
    expect(evaluation.askedSiteIds).toEqual(['a', 'b', 'c']);
    evaluation.accept('b', { recordCount: 30, metrics: { r: 0.7 } });
    expect(evaluation.fail('c', 'INTERNAL', 'too few held-out records')).toBe(true);
    expect(evaluation.done).toBe(false);
    expect(evaluation.outstanding).toEqual(['a']);

    evaluation.accept('a', { recordCount: 10, metrics: { r: 0.5 } });

    expect(evaluation.done).toBe(true);
    expect(evaluation.close()).toEqual({
      results: [
        { siteId: 'a', recordCount: 10, metrics: { r: 0.5 } },
        { siteId: 'b', recordCount: 30, metrics: { r: 0.7 } },
      ],
      failures: [{ siteId: 'c', code: 'INTERNAL', reason: 'too few held-out records' }],
      timedOut: [],
    });
  });

  it('turns sites still silent at the deadline into TIMEOUT failures', () => {
    const evaluation = round();
    evaluation.accept('a', { recordCount: 10, metrics: {} });

    const closed = evaluation.close();

    expect(closed.timedOut.map((f) => [f.siteId, f.code])).toEqual([
      ['b', 'TIMEOUT'],
      ['c', 'TIMEOUT'],
    ]);
    expect(closed.failures).toHaveLength(2);
    expect(evaluation.done).toBe(true);
  });

  it('screens results: closed, late, not asked, duplicate, no held-out records', () => {
    const evaluation = round();
    expect(evaluation.screen('a', { recordCount: 5 }, T)).toBeNull();
    expect(evaluation.screen('a', { recordCount: 5 }, T + 150)).toEqual({ code: 'STALE_ROUND', reason: 'the evaluation of round 4 closed at its deadline, 50 ms before this result' });
    expect(evaluation.screen('x', { recordCount: 5 }, T)).toEqual({ code: 'UNEXPECTED_MESSAGE', reason: 'site x was not asked to take part in the evaluation of round 4' });
    expect(evaluation.screen('a', { recordCount: 0 }, T)).toEqual({ code: 'INVALID_VALUE', reason: 'an evaluation needs at least 1 held-out record, the result says 0' });
    evaluation.accept('a', { recordCount: 5, metrics: {} });
    expect(evaluation.screen('a', { recordCount: 5 }, T)?.reason).toBe('site a already answered the evaluation of round 4');
    expect(evaluation.fail('a', 'INTERNAL', 'late failure')).toBe(false);
    evaluation.close();
    expect(evaluation.screen('b', { recordCount: 5 }, T)).toEqual({ code: 'STALE_ROUND', reason: 'the evaluation of round 4 is closed' });
    expect(evaluation.fail('b', 'INTERNAL', 'after closing')).toBe(false);
  });
});
