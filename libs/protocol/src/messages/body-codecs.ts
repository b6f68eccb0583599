import type { BodyCodec } from './body-codec';
import { chunkCodec } from './chunk-codec';
import { evalResultCodec, evalTaskCodec } from './evaluation-codecs';
import {
  maskedUpdateCodec,
  secAggKeyRequestCodec,
  secAggKeysCodec,
  secAggRosterCodec,
  secAggSharesCodec,
  unmaskRequestCodec,
  unmaskResponseCodec,
} from './secure-aggregation-codecs';
import { ackCodec, errorCodec, heartbeatCodec, helloCodec, welcomeCodec } from './session-codecs';
import { trainResultCodec, trainTaskCodec } from './training-codecs';
import type { BodyKind } from './types';
import { dataSummaryCodec, vocabularyAgreementCodec, vocabularyProposalCodec } from './vocabulary-codecs';

/** Every body kind's codec; a mapped type, so a kind without a codec fails to compile. */
export const BODY_CODECS: { readonly [K in BodyKind]: BodyCodec<K> } = {
  hello: helloCodec,
  welcome: welcomeCodec,
  dataSummary: dataSummaryCodec,
  vocabularyProposal: vocabularyProposalCodec,
  vocabularyAgreement: vocabularyAgreementCodec,
  trainTask: trainTaskCodec,
  trainResult: trainResultCodec,
  evalTask: evalTaskCodec,
  evalResult: evalResultCodec,
  heartbeat: heartbeatCodec,
  chunk: chunkCodec,
  ack: ackCodec,
  secAggKeyRequest: secAggKeyRequestCodec,
  secAggKeys: secAggKeysCodec,
  secAggRoster: secAggRosterCodec,
  secAggShares: secAggSharesCodec,
  maskedUpdate: maskedUpdateCodec,
  unmaskRequest: unmaskRequestCodec,
  unmaskResponse: unmaskResponseCodec,
  error: errorCodec,
};
