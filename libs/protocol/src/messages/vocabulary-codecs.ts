import { fedsynth } from '../generated/fedsynth';
import { ProtocolError } from '../errors/protocol-error';
import type { ProtocolLimits } from '../limits';
import { digestsEqual, vocabularyDigest } from '../vocabulary/vocabulary-digest';
import type { BodyCodec } from './body-codec';
import { checkCodeVector, codeVectorBytes } from './code-vector';
import { checkDigest, checkId, checkList, checkText, checkUint32 } from './field-checks';
import { codeLevelCodec, recordUnitCodec, vocabularySourceCodec } from './enum-codecs';
import { checkPrivacySpent } from './privacy-codecs';
import type { DataSummary, VocabularyAgreement, VocabularyProposal } from './types';

const pb = fedsynth.v1;

const CODE_PATTERN = /^[\x21-\x7e]+$/; // ICD codes: printable ASCII, no spaces

/** Diagnosis codes: each non-empty, short, printable; no code twice. */
function checkCodes(codes: readonly string[] | null | undefined, field: string, limits: ProtocolLimits): string[] {
  const seen = new Set<string>();
  return checkList(codes, field, limits.maxCodes, (code, f) => {
    if (typeof code !== 'string' || code.length === 0 || code.length > limits.maxCodeLength || !CODE_PATTERN.test(code)) {
      throw new ProtocolError('INVALID_VALUE', `bad code ${JSON.stringify(String(code).slice(0, 64))}`, { field: f });
    }
    if (seen.has(code)) throw new ProtocolError('DUPLICATE_NAME', `code ${code} appears twice`, { field: f });
    seen.add(code);
    return code;
  });
}

export const dataSummaryCodec: BodyCodec<'dataSummary'> = {
  encode(v, ctx, field) {
    const privacy = checkPrivacySpent(v.privacy, `${field}.privacy`);
    const head = pb.DataSummary.encode({
      recordCount: checkUint32(v.recordCount, `${field}.recordCount`),
      recordUnit: recordUnitCodec.toWire(v.recordUnit, `${field}.recordUnit`),
      codeLevel: codeLevelCodec.toWire(v.codeLevel, `${field}.codeLevel`),
      minCodeCount: checkUint32(v.minCodeCount, `${field}.minCodeCount`),
      codes: checkCodes(v.codes, `${field}.codes`, ctx.limits),
      ...(privacy ? { privacy } : {}),
    }).finish();
    return { head };
  },
  decode(w, ctx, field): DataSummary {
    const privacy = checkPrivacySpent(w.privacy, `${field}.privacy`);
    return {
      recordCount: checkUint32(w.recordCount, `${field}.recordCount`),
      recordUnit: recordUnitCodec.fromWire(w.recordUnit, `${field}.recordUnit`),
      codeLevel: codeLevelCodec.fromWire(w.codeLevel, `${field}.codeLevel`),
      minCodeCount: checkUint32(w.minCodeCount, `${field}.minCodeCount`),
      codes: checkCodes(w.codes, `${field}.codes`, ctx.limits),
      ...(privacy ? { privacy } : {}),
    };
  },
};

export const vocabularyProposalCodec: BodyCodec<'vocabularyProposal'> = {
  encode(v, ctx, field) {
    const codes = checkCodes(v.codes, `${field}.codes`, ctx.limits);
    if (codes.length === 0) throw new ProtocolError('MISSING_FIELD', 'a vocabulary needs codes', { field: `${field}.codes` });
    const head = pb.VocabularyProposal.encode({
      runId: checkId(v.runId, `${field}.runId`, ctx.limits),
      codes,
      source: vocabularySourceCodec.toWire(v.source, `${field}.source`),
      codeLevel: codeLevelCodec.toWire(v.codeLevel, `${field}.codeLevel`),
      minCodeCount: checkUint32(v.minCodeCount, `${field}.minCodeCount`),
      digest: vocabularyDigest(codes),
      codeCountsWanted: checkBoolean(v.codeCountsWanted, `${field}.codeCountsWanted`),
    }).finish();
    return { head };
  },
  decode(w, ctx, field): VocabularyProposal {
    const codes = checkCodes(w.codes, `${field}.codes`, ctx.limits);
    if (codes.length === 0) throw new ProtocolError('MISSING_FIELD', 'a vocabulary needs codes', { field: `${field}.codes` });
    const digest = checkDigest(w.digest, `${field}.digest`);
    // A damaged or tampered list must not become matrix columns.
    if (!digestsEqual(digest, vocabularyDigest(codes))) {
      throw new ProtocolError('DIGEST_MISMATCH', 'digest does not match the codes', { field: `${field}.digest` });
    }
    return {
      runId: checkId(w.runId, `${field}.runId`, ctx.limits),
      codes,
      source: vocabularySourceCodec.fromWire(w.source, `${field}.source`),
      codeLevel: codeLevelCodec.fromWire(w.codeLevel, `${field}.codeLevel`),
      minCodeCount: checkUint32(w.minCodeCount, `${field}.minCodeCount`),
      ...(checkBoolean(w.codeCountsWanted, `${field}.codeCountsWanted`) ? { codeCountsWanted: true } : {}),
    };
  },
};

function checkBoolean(value: boolean | null | undefined, field: string): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value !== 'boolean') throw new ProtocolError('INVALID_VALUE', 'not a boolean', { field });
  return value;
}

function checkAgreement(
  v: fedsynth.v1.VocabularyAgreement.$Properties | VocabularyAgreement,
  field: string,
  limits: ProtocolLimits,
): VocabularyAgreement {
  const accepted = checkBoolean(v.accepted, `${field}.accepted`);
  // Counts travel as bytes; absent (or empty) when the proposal did not want them.
  const rawCounts = v.codeCounts ?? undefined;
  const hasCounts = rawCounts !== undefined && rawCounts.length > 0;
  const trainingRecordCount = checkUint32(v.trainingRecordCount, `${field}.trainingRecordCount`);
  const counts = hasCounts ? checkCodeVector(rawCounts, `${field}.codeCounts`, limits, trainingRecordCount, { integers: true }) : undefined;
  return {
    runId: checkId(v.runId, `${field}.runId`, limits),
    digest: checkDigest(v.digest, `${field}.digest`),
    accepted,
    coveredRecordCount: checkUint32(v.coveredRecordCount, `${field}.coveredRecordCount`),
    // A refusal must say why; an acceptance may carry a note.
    reason: checkText(v.reason, `${field}.reason`, limits, { required: !accepted }),
    ...(counts ? { codeCounts: counts, trainingRecordCount } : {}),
  };
}

export const vocabularyAgreementCodec: BodyCodec<'vocabularyAgreement'> = {
  encode(v, ctx, field) {
    const { codeCounts, ...rest } = checkAgreement(v, field, ctx.limits);
    return { head: pb.VocabularyAgreement.encode({ ...rest, ...(codeCounts ? { codeCounts: codeVectorBytes(codeCounts) } : {}) }).finish() };
  },
  decode(w, ctx, field) {
    return checkAgreement(w, field, ctx.limits);
  },
};
