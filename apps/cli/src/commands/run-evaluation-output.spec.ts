import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cli, useAdminTokenEnv } from '../__fixtures__/cli-harness';
import { captureIo } from '../test-io';
import { runCli } from '../run-cli';
import { runCreateBody } from './run-create.command';
import { describeEvaluation, describeStage, type EvaluationView } from './run-status.command';
import { describeSiteEvent } from './site.command';

const METRICS = {
  'synthetic.fidelity.prevalence.pearson': 0.93127,
  'synthetic.fidelity.prevalence.rmse': 0.012345,
  'synthetic.utility.prediction.meanGap': 0.0701,
  'synthetic.privacy.membershipInference.advantage': -0.05,
  'synthetic.utility.detectionAuc': 0.6,
};

function evaluation(round: number, status: EvaluationView['status'], error: string | null = null): EvaluationView {
  return {
    round,
    status,
    askedSiteIds: ['a', 'b', 'c'],
    metrics: status === 'completed' ? METRICS : null,
    summary: status === 'collecting' ? null : { siteCount: status === 'completed' ? 2 : 0, recordCount: status === 'completed' ? 14 : 0, failureCount: status === 'completed' ? 1 : 3 },
    error,
  };
}

describe('evaluation and quorum lines', () => {
  it('names the headline metrics, the sites that answered and the held-out records (rounds 1-based)', () => {
    expect(describeEvaluation(evaluation(3, 'completed'))).toBe(
      'round 4 eval: prevalence r 0.931, RMSE 0.0123, prediction gap 0.0701, MIA advantage -0.0500, 2 of 3 sites, 14 held-out records',
    );
    expect(describeEvaluation(evaluation(3, 'failed', 'no site returned an evaluation: a: TIMEOUT ...'))).toBe(
      'round 4 eval failed: no site returned an evaluation: a: TIMEOUT ...',
    );
    expect(describeEvaluation(evaluation(3, 'collecting'))).toBe('round 4 eval: collecting from 3 site(s)');
  });

  it('run create sends --evaluate-every and --site-wait (seconds, as plan.siteWaitMs)', () => {
    expect(runCreateBody({ 'evaluate-every': '2', 'site-wait': '90' }).plan).toMatchObject({ evaluateEvery: 2, siteWaitMs: 90_000 });
    expect(runCreateBody({}).plan).not.toHaveProperty('siteWaitMs');
    expect(() => runCreateBody({ 'site-wait': '0' })).toThrow("--site-wait must be a whole number from 1 to 2592000, got '0'");
  });

  it('site: describes evaluation events, and checks --eval-min-records', async () => {
    expect(describeSiteEvent({ type: 'evalStarted', runId: 'r', round: 3 })).toBe('run r: round 4 evaluating the global generator on the held-out records');
    expect(describeSiteEvent({ type: 'evalSent', result: { runId: 'r', round: 3, recordCount: 14, metrics: { a: 1, b: 2 } } })).toBe(
      'round 4: evaluation sent (14 held-out records, 2 aggregate metrics)',
    );
    expect(describeSiteEvent({ type: 'evalFailed', runId: 'r', round: 3, code: 'INTERNAL', reason: 'too few' })).toBe('round 4: evaluation failed (INTERNAL: too few)');
    const io = captureIo();
    await runCli(['site', '--coordinator', 'http://127.0.0.1:9', '--input', 'data/none', '--site', 'a', '--token', 't', '--eval-min-records', '1'], io);
    expect(io.stderr()).toContain("--eval-min-records must be a whole number from 2");
  });

  it('shows a run waiting for its quorum with the counts', () => {
    expect(describeStage('waitingForSites', { connected: 1, needed: 3 })).toBe('waiting for sites (1/3 connected)');
    expect(describeStage('training', { connected: 3, needed: 3 })).toBe('training');
    expect(describeStage('waitingForSites', null)).toBe('waitingForSites');
  });
});

describe('run wait and run status against a coordinator (stub HTTP server)', () => {
  const TOKEN = 'stub-admin-token-0123456789';
  useAdminTokenEnv(TOKEN);
  let answers: string[] = [];
  let server: Server;
  let url: string;

  function detail(status: string, stage: string, round: number | null, sites: { connected: number; needed: number }, evaluations: EvaluationView[]): string {
    return JSON.stringify({
      run: { id: 'r1', status, plan: { phases: [{ phase: 'gan', rounds: 3 }], minSites: 3 }, currentPhase: round === null ? null : 'gan', currentRound: round, error: null, createdAt: 0, startedAt: 0, finishedAt: null },
      stage,
      completedRounds: round,
      sites,
      rounds: [],
      evaluations,
    });
  }

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answers.length > 1 ? answers.shift() : answers[0]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });


  it('run wait prints the quorum wait, then each finished evaluation once', async () => {
    answers = [
      detail('running', 'waitingForSites', null, { connected: 1, needed: 3 }, []),
      detail('running', 'training', 1, { connected: 3, needed: 3 }, [evaluation(0, 'collecting')]),
      detail('running', 'training', 2, { connected: 3, needed: 3 }, [evaluation(0, 'completed')]),
      detail('completed', 'completed', 2, { connected: 3, needed: 3 }, [evaluation(0, 'completed'), evaluation(1, 'failed', 'no site returned an evaluation')]),
    ];

    const r = await cli('run', 'wait', 'r1', '--coordinator', url, '--interval', '1');

    expect(r.code).toBe(0);
    const lines = r.err.trim().split('\n').map((line) => line.replace(/^\[[\d:]+\] run r1: /, ''));
    expect(lines).toEqual([
      'status running, stage waiting for sites (1/3 connected), 3 rounds planned',
      'status running, stage training, round 2/3 (gan), 1 completed',
      'status running, stage training, round 3/3 (gan), 2 completed',
      'round 1 eval: prevalence r 0.931, RMSE 0.0123, prediction gap 0.0701, MIA advantage -0.0500, 2 of 3 sites, 14 held-out records',
      'status completed, round 3/3 (gan), 2 completed',
      'round 2 eval failed: no site returned an evaluation',
    ]);
  });

  it('run status lists the last evaluations', async () => {
    answers = [detail('completed', 'completed', 2, { connected: 3, needed: 3 }, [evaluation(0, 'completed'), evaluation(1, 'completed')])];

    const r = await cli('run', 'status', 'r1', '--coordinator', url);

    expect(r.code).toBe(0);
    expect(r.out).toContain('  evaluations (held-out records at the sites, record-weighted):\n    round 1 eval: prevalence r 0.931');
    expect(r.out).toContain('    round 2 eval: prevalence r 0.931, RMSE 0.0123');
  });
});
