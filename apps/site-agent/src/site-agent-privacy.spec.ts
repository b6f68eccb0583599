import type { VocabularyAgreement, VocabularyProposal } from '@fedsynth/protocol';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiteAgent } from './site-agent';
import { loadSiteData, type SiteData, type SiteDataOptions } from './site-data';

/** The agent's vocabulary answer, reached without a coordinator (it needs only the data). */
interface AgentInternals {
  data: SiteData;
  agree(proposal: VocabularyProposal): VocabularyAgreement;
}

describe('what a site agent with a privacy budget releases outside DP-SGD', () => {
  let dir: string;
  let data: SiteDataOptions;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedsynth-site-privacy-'));
    const input = join(dir, 'records.csv');
    // 10 patients: 4019 (category 401) held by all, 25000 (250) by 3.
    const rows = ['patient,code'];
    for (let p = 1; p <= 10; p++) rows.push(`p${p},4019`);
    for (let p = 1; p <= 3; p++) rows.push(`p${p},25000`);
    writeFileSync(input, rows.join('\n') + '\n');
    data = { read: { format: 'long', input, rollup: true }, holdoutFraction: 0.1, splitSeed: 1, minCodeCount: 2 };
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function agent(privacy?: { epsilon: number; delta: number; ledgerFile?: string }, shareCodeCounts?: boolean): SiteAgent {
    return new SiteAgent({ url: 'http://127.0.0.1:9', siteId: 'a', token: 't', data, ...(privacy ? { privacy } : {}), ...(shareCodeCounts ? { shareCodeCounts } : {}) });
  }

  const proposal = (codes: string[]): VocabularyProposal => ({ runId: 'r', codes, source: 'fixed', codeLevel: 'category', minCodeCount: 2 });

  it('refuses to start when the noisy code release alone exceeds the budget, and charges nothing for the release it never sent', async () => {
    const ledgerFile = join(dir, 'ledger.json');
    const small = agent({ epsilon: 0.5, delta: 1e-5, ledgerFile });
    await expect(small.start()).rejects.toThrow(/^privacy budget exceeded: announcing this site's codes from noisy counts \(z = 4\) costs ε = \d+\.\d{3} \(from 0\.\d{3}\)/);
    expect(small.privacy.history()).toEqual([]);
    expect(existsSync(ledgerFile)).toBe(false);
  });

  it('answers a proposed vocabulary without an exact count of the records it covers, and never refuses for coverage', async () => {
    const plain = agent() as unknown as AgentInternals;
    const budgeted = agent({ epsilon: 50, delta: 1e-5 }) as unknown as AgentInternals;
    plain.data = budgeted.data = await loadSiteData(data);
    const records = plain.data.train.matrix.rows;
    // Without a budget: the exact count, and a refusal when no record holds a code.
    expect(plain.agree(proposal(['250'])).coveredRecordCount).toBeLessThan(records);
    expect(plain.agree(proposal(['999']))).toMatchObject({ accepted: false, coveredRecordCount: 0 });
    // With one: the same answer whatever the codes, so a proposal is not a counting query.
    for (const codes of [['250'], ['401'], ['999']]) expect(budgeted.agree(proposal(codes))).toMatchObject({ accepted: true, coveredRecordCount: records, reason: '' });
  });

  it('sends exact code counts only when the proposal wants them and its operator opted in, and never with a budget', async () => {
    const plain = agent(undefined, true) as unknown as AgentInternals;
    const budgeted = agent({ epsilon: 50, delta: 1e-5 }, true) as unknown as AgentInternals;
    const unwilling = agent() as unknown as AgentInternals;
    plain.data = budgeted.data = unwilling.data = await loadSiteData(data);
    expect(unwilling.agree({ ...proposal(['250', '401']), codeCountsWanted: true })).toMatchObject({
      accepted: false,
      reason: 'the run asks for exact code counts (pooled marginal matching); this site does not share them (start it with --share-code-counts to join such runs)',
    });
    expect(unwilling.agree({ ...proposal(['250', '401']), codeCountsWanted: true })).not.toHaveProperty('codeCounts');
    const records = plain.data.train.matrix.rows;
    const held250 = plain.agree(proposal(['250'])).coveredRecordCount;
    expect(plain.agree(proposal(['250', '401']))).not.toHaveProperty('codeCounts');
    const counted = plain.agree({ ...proposal(['250', '401']), codeCountsWanted: true });
    expect(counted).toMatchObject({ accepted: true, trainingRecordCount: records });
    expect(Array.from(counted.codeCounts!)).toEqual([held250, records]);
    expect(budgeted.agree({ ...proposal(['250', '401']), codeCountsWanted: true })).toEqual({
      runId: 'r',
      digest: expect.any(Uint8Array),
      accepted: false,
      coveredRecordCount: 0,
      reason: 'the run asks for exact code counts (pooled marginal matching), but this site trains under a privacy budget',
    });
  });
});
