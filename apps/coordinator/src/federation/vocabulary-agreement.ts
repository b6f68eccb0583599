import { createVocabulary, type Vocabulary } from '@fedsynth/gan';
import { createEnvelope, digestsEqual, expectBody, vocabularyDigest, type CodeLevel, type VocabularySource } from '@fedsynth/protocol';
import type { SiteSession } from '../sites/site-sessions';
import type { SiteCodeCounts } from './pooled-prevalence';

/** counts: with codeCountsWanted, every agreeing site's code counts (see pooledPrevalence). */
export type VocabularyOutcome = { ok: true; vocabulary: Vocabulary; counts: SiteCodeCounts[] } | { ok: false; reason: string };

/** Where a run's vocabulary comes from: its options' fixed list, or the sites' union. */
export function vocabularySource(settings: { fixed?: readonly string[] }): VocabularySource {
  return settings.fixed !== undefined ? 'fixed' : 'union';
}

/**
 * The vocabulary of a run, proposed to every site and agreed when all accept the same digest.
 * Union: every code some site holds in at least k records (each site applied its own k
 * before announcing); a site never sees which site contributed which code. Fixed: the run
 * options' list (checked and in canonical order, see checkRunOptions), whatever the sites
 * announced; each site maps its records onto it, dropping its codes outside it.
 */
export async function agreeVocabulary(input: {
  runId: string;
  sessions: readonly SiteSession[];
  codeLevel: CodeLevel;
  minCodeCount: number;
  fixed?: readonly string[];
  /** Ask every site for its code counts (a run matching the pooled prevalences). */
  codeCountsWanted?: boolean;
}): Promise<VocabularyOutcome> {
  const { runId, sessions, codeLevel } = input;
  if (sessions.length === 0) return { ok: false, reason: 'no site has sent its data summary' };
  const mismatched = sessions.filter((s) => s.summary!.codeLevel !== codeLevel).map((s) => s.siteId);
  if (mismatched.length > 0) return { ok: false, reason: `site(s) ${mismatched.join(', ')} do not hold ${codeLevel}-level codes` };
  const source = vocabularySource(input);
  const vocabulary = createVocabulary(input.fixed ?? sessions.flatMap((s) => s.summary!.codes));
  if (vocabulary.codes.length === 0) return { ok: false, reason: 'the sites announced no code held by enough records' };
  const digest = vocabularyDigest(vocabulary.codes);
  const answers = await Promise.allSettled(
    sessions.map(async (session) =>
      proposeTo(session, { runId, codes: [...vocabulary.codes], source, codeLevel, minCodeCount: input.minCodeCount, ...(input.codeCountsWanted ? { codeCountsWanted: true } : {}) }, digest),
    ),
  );
  const refusals = answers.flatMap((a, i) => (a.status === 'rejected' ? [`${sessions[i].siteId}: ${(a.reason as Error).message}`] : []));
  if (refusals.length > 0) return { ok: false, reason: refusals.join('; ') };
  const counts = answers.flatMap((a, i) => (a.status === 'fulfilled' && a.value ? [{ ...a.value, siteId: sessions[i].siteId }] : []));
  return { ok: true, vocabulary, counts };
}

/**
 * One site's agreement; throws with the site's reason when it refuses, answers another
 * digest, or leaves out the code counts the proposal wanted. Returns those counts (when wanted).
 */
export async function proposeTo(
  session: SiteSession,
  proposal: { runId: string; codes: string[]; source: VocabularySource; codeLevel: CodeLevel; minCodeCount: number; codeCountsWanted?: boolean },
  digest: Uint8Array = vocabularyDigest(proposal.codes),
): Promise<Omit<SiteCodeCounts, 'siteId'> | undefined> {
  const agreement = expectBody(await session.request(createEnvelope('vocabularyProposal', proposal)), 'vocabularyAgreement');
  if (!agreement.accepted) throw new Error(`refused the vocabulary: ${agreement.reason}`);
  if (!digestsEqual(agreement.digest, digest)) throw new Error('agreed to a different vocabulary digest');
  if (!proposal.codeCountsWanted) return undefined;
  if (!agreement.codeCounts || agreement.trainingRecordCount === undefined) throw new Error('agreed without the code counts the run needs (pooled marginal matching); update the site agent');
  return { counts: agreement.codeCounts, records: agreement.trainingRecordCount };
}
