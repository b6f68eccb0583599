import { fedsynth } from '../generated/fedsynth';
import { ProtocolError, type ProtocolErrorCode } from '../errors/protocol-error';
import type { CodeLevel, DType, Phase, RecordUnit, SiteState, VocabularySource } from './types';

const pb = fedsynth.v1;

/** String enum ↔ wire enum, refusing the unspecified zero and values this version lacks. */
export interface EnumCodec<T extends string> {
  toWire(value: T, field: string): number;
  fromWire(value: number | null | undefined, field: string): T;
}

function enumCodec<T extends string>(
  table: Readonly<Record<T, number>>,
  unknownCode: ProtocolErrorCode = 'INVALID_VALUE',
): EnumCodec<T> {
  const byWire = new Map<number, T>((Object.entries(table) as [T, number][]).map(([name, wire]) => [wire, name]));
  return {
    toWire(value, field) {
      const wire = Object.prototype.hasOwnProperty.call(table, value) ? table[value] : undefined;
      if (wire === undefined) throw new ProtocolError(unknownCode, `unknown value ${JSON.stringify(value)}`, { field });
      return wire;
    },
    fromWire(value, field) {
      if (!value) throw new ProtocolError('MISSING_FIELD', 'required', { field });
      const name = byWire.get(value);
      if (name === undefined) throw new ProtocolError(unknownCode, `unknown value ${value}`, { field });
      return name;
    },
  };
}

export const dtypeCodec = enumCodec<DType>(
  { float32: pb.DType.DTYPE_FLOAT32, float16: pb.DType.DTYPE_FLOAT16 },
  'UNKNOWN_DTYPE',
);

export const phaseCodec = enumCodec<Phase>({ autoencoder: pb.Phase.PHASE_AUTOENCODER, gan: pb.Phase.PHASE_GAN });

export const recordUnitCodec = enumCodec<RecordUnit>({
  patient: pb.RecordUnit.RECORD_UNIT_PATIENT,
  admission: pb.RecordUnit.RECORD_UNIT_ADMISSION,
});

export const codeLevelCodec = enumCodec<CodeLevel>({
  full: pb.CodeLevel.CODE_LEVEL_FULL,
  category: pb.CodeLevel.CODE_LEVEL_CATEGORY,
});

export const vocabularySourceCodec = enumCodec<VocabularySource>({
  fixed: pb.VocabularySource.VOCABULARY_SOURCE_FIXED,
  union: pb.VocabularySource.VOCABULARY_SOURCE_UNION,
});

export const siteStateCodec = enumCodec<SiteState>({
  idle: pb.SiteState.SITE_STATE_IDLE,
  training: pb.SiteState.SITE_STATE_TRAINING,
  evaluating: pb.SiteState.SITE_STATE_EVALUATING,
});
