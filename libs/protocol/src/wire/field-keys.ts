import { fedsynth } from '../generated/fedsynth';

const pb = fedsynth.v1;

/**
 * Encoded keys of the fields the spliced encoder writes by hand, taken from the generated
 * code itself (encode a message holding only that field, strip the length and content),
 * so field numbers exist once: in the .proto.
 */
function keyOf(encoded: Uint8Array, contentBytes: number): Uint8Array {
  // encoded = key | length varint (1 byte here) | content
  return Uint8Array.from(encoded.subarray(0, encoded.length - 1 - contentBytes));
}

const ONE_BYTE = new Uint8Array([0]);

export const ENVELOPE_BODY_KEYS = {
  hello: keyOf(pb.Envelope.encode({ hello: {} }).finish(), 0),
  welcome: keyOf(pb.Envelope.encode({ welcome: {} }).finish(), 0),
  dataSummary: keyOf(pb.Envelope.encode({ dataSummary: {} }).finish(), 0),
  vocabularyProposal: keyOf(pb.Envelope.encode({ vocabularyProposal: {} }).finish(), 0),
  vocabularyAgreement: keyOf(pb.Envelope.encode({ vocabularyAgreement: {} }).finish(), 0),
  trainTask: keyOf(pb.Envelope.encode({ trainTask: {} }).finish(), 0),
  trainResult: keyOf(pb.Envelope.encode({ trainResult: {} }).finish(), 0),
  evalTask: keyOf(pb.Envelope.encode({ evalTask: {} }).finish(), 0),
  evalResult: keyOf(pb.Envelope.encode({ evalResult: {} }).finish(), 0),
  heartbeat: keyOf(pb.Envelope.encode({ heartbeat: {} }).finish(), 0),
  chunk: keyOf(pb.Envelope.encode({ chunk: {} }).finish(), 0),
  ack: keyOf(pb.Envelope.encode({ ack: {} }).finish(), 0),
  secAggKeyRequest: keyOf(pb.Envelope.encode({ secAggKeyRequest: {} }).finish(), 0),
  secAggKeys: keyOf(pb.Envelope.encode({ secAggKeys: {} }).finish(), 0),
  secAggRoster: keyOf(pb.Envelope.encode({ secAggRoster: {} }).finish(), 0),
  secAggShares: keyOf(pb.Envelope.encode({ secAggShares: {} }).finish(), 0),
  maskedUpdate: keyOf(pb.Envelope.encode({ maskedUpdate: {} }).finish(), 0),
  unmaskRequest: keyOf(pb.Envelope.encode({ unmaskRequest: {} }).finish(), 0),
  unmaskResponse: keyOf(pb.Envelope.encode({ unmaskResponse: {} }).finish(), 0),
  error: keyOf(pb.Envelope.encode({ error: {} }).finish(), 0),
} as const;

/** The `weights` field of TrainTask, TrainResult and EvalTask (one number for all three). */
export const WEIGHTS_KEY = keyOf(pb.TrainTask.encode({ weights: {} }).finish(), 0);
export const WEIGHT_SET_TENSOR_KEY = keyOf(pb.WeightSet.encode({ tensors: [{}] }).finish(), 0);
export const TENSOR_PADDING_KEY = keyOf(pb.Tensor.encode({ padding: ONE_BYTE }).finish(), 1);
export const TENSOR_DATA_KEY = keyOf(pb.Tensor.encode({ data: ONE_BYTE }).finish(), 1);
export const MASKED_UPDATE_WORDS_KEY = keyOf(pb.MaskedUpdate.encode({ words: ONE_BYTE }).finish(), 1);
export const CHUNK_DATA_KEY = keyOf(pb.Chunk.encode({ data: ONE_BYTE }).finish(), 1);
export const TRAIN_TASK_OPTIONS_KEY = keyOf(pb.TrainTask.encode({ options: {} }).finish(), 0);
export const EVAL_TASK_OPTIONS_KEY = keyOf(pb.EvalTask.encode({ options: {} }).finish(), 0);
