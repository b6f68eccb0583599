import type { fedsynth } from '../generated/fedsynth';
import type { EncodedBody } from '../wire/spliced-encoder';
import type { DecodeContext, EncodeContext } from './codec-context';
import type { BodyKind, BodyMap } from './types';

/** Body kind → its generated wire type (as decoded: every field optional). */
export interface WireBodyMap {
  hello: fedsynth.v1.Hello.$Properties;
  welcome: fedsynth.v1.Welcome.$Properties;
  dataSummary: fedsynth.v1.DataSummary.$Properties;
  vocabularyProposal: fedsynth.v1.VocabularyProposal.$Properties;
  vocabularyAgreement: fedsynth.v1.VocabularyAgreement.$Properties;
  trainTask: fedsynth.v1.TrainTask.$Properties;
  trainResult: fedsynth.v1.TrainResult.$Properties;
  evalTask: fedsynth.v1.EvalTask.$Properties;
  evalResult: fedsynth.v1.EvalResult.$Properties;
  heartbeat: fedsynth.v1.Heartbeat.$Properties;
  chunk: fedsynth.v1.Chunk.$Properties;
  ack: fedsynth.v1.Ack.$Properties;
  secAggKeyRequest: fedsynth.v1.SecAggKeyRequest.$Properties;
  secAggKeys: fedsynth.v1.SecAggKeys.$Properties;
  secAggRoster: fedsynth.v1.SecAggRoster.$Properties;
  secAggShares: fedsynth.v1.SecAggShares.$Properties;
  maskedUpdate: fedsynth.v1.MaskedUpdate.$Properties;
  unmaskRequest: fedsynth.v1.UnmaskRequest.$Properties;
  unmaskResponse: fedsynth.v1.UnmaskResponse.$Properties;
  error: fedsynth.v1.Error.$Properties;
}

/**
 * The to/from pair of one body kind. `encode` checks the value and returns its bytes in
 * two parts (see wire/spliced-encoder.ts); `decode` checks a decoded wire message and
 * returns the app-facing value. Both throw ProtocolError naming `field`.
 */
export interface BodyCodec<K extends BodyKind> {
  encode(value: BodyMap[K], ctx: EncodeContext, field: string): EncodedBody;
  decode(wire: WireBodyMap[K], ctx: DecodeContext, field: string): BodyMap[K];
}
