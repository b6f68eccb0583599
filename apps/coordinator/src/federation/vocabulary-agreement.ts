import { createVocabulary, type Vocabulary } from '@fedsynth/gan';
import { createEnvelope, digestsEqual, expectBody, vocabularyDigest, type CodeLevel } from '@fedsynth/protocol';
import type { SiteSession } from '../sites/site-sessions';

export type VocabularyOutcome = { ok: true; vocabulary: Vocabulary } | { ok: false; reason: string };

/**
 * The union vocabulary of a run: every code some site holds in at least k records (each site
 * applied its own k before announcing), proposed to every site, agreed when all accept the
 * same digest. A site never sees which site contributed which code.
 */
export async function agreeVocabulary(input: {
  runId: string;
  sessions: readonly SiteSession[];
  codeLevel: CodeLevel;
  minCodeCount: number;
}): Promise<VocabularyOutcome> {
  const { runId, sessions, codeLevel } = input;
  if (sessions.length === 0) return { ok: false, reason: 'no site has sent its data summary' };
  const mismatched = sessions.filter((s) => s.summary!.codeLevel !== codeLevel).map((s) => s.siteId);
  if (mismatched.length > 0) return { ok: false, reason: `site(s) ${mismatched.join(', ')} do not hold ${codeLevel}-level codes` };
  const vocabulary = createVocabulary(sessions.flatMap((s) => s.summary!.codes));
  if (vocabulary.codes.length === 0) return { ok: false, reason: 'the sites announced no code held by enough records' };
  const digest = vocabularyDigest(vocabulary.codes);
  const answers = await Promise.allSettled(
    sessions.map(async (session) =>
      proposeTo(session, { runId, codes: [...vocabulary.codes], source: 'union', codeLevel, minCodeCount: input.minCodeCount }, digest),
    ),
  );
  const refusals = answers.flatMap((a, i) => (a.status === 'rejected' ? [`${sessions[i].siteId}: ${(a.reason as Error).message}`] : []));
  if (refusals.length > 0) return { ok: false, reason: refusals.join('; ') };
  return { ok: true, vocabulary };
}

/** One site's agreement; throws with the site's reason when it refuses or answers another digest. */
export async function proposeTo(
  session: SiteSession,
  proposal: { runId: string; codes: string[]; source: 'union'; codeLevel: CodeLevel; minCodeCount: number },
  digest: Uint8Array = vocabularyDigest(proposal.codes),
): Promise<void> {
  const agreement = expectBody(await session.request(createEnvelope('vocabularyProposal', proposal)), 'vocabularyAgreement');
  if (!agreement.accepted) throw new Error(`refused the vocabulary: ${agreement.reason}`);
  if (!digestsEqual(agreement.digest, digest)) throw new Error('agreed to a different vocabulary digest');
}
