import { varintSize, writeVarint } from './varint';
import { TENSOR_DATA_KEY, TENSOR_PADDING_KEY, WEIGHT_SET_TENSOR_KEY } from './field-keys';

/**
 * Writes an Envelope in one allocation and one copy of each payload.
 *
 * protobufjs's generic writer grows its buffer by doubling and, for every nested message,
 * reserves one length byte and shifts the whole content when the length needs more: a
 * 50 MB weight set was copied about eight times (≈300 MB/s). Here the small fields are
 * still encoded by the generated code (`head`s) and only the large last field of the body
 * (weights or chunk data) is framed by hand, with every length known up front. Because
 * the large field has the highest field number, the output is byte-for-byte what the
 * generated encoder produces (spliced-encoder.spec.ts checks it).
 *
 * It also inserts a tiny `padding` field before each tensor's data so the data starts at
 * a multiple of 4 bytes from the start of the envelope: a receiver holding the envelope
 * in an aligned buffer (always the case after chunk reassembly) then reads every tensor
 * as a Float32Array over the received bytes, without copying.
 */

export interface EncodedTensor {
  /** name, dtype and shape, encoded by the generated Tensor encoder. */
  readonly head: Uint8Array;
  /** Little-endian element bytes. */
  readonly data: Uint8Array;
}

export type TrailingField =
  | { readonly kind: 'bytes'; readonly key: Uint8Array; readonly data: Uint8Array }
  | { readonly kind: 'weights'; readonly key: Uint8Array; readonly tensors: readonly EncodedTensor[] };

export interface EncodedBody {
  /** Every field of the body except the trailing one, from the generated encoder. */
  readonly head: Uint8Array;
  readonly trailing?: TrailingField;
}

export interface SplicedEnvelope {
  /** Envelope header fields (version, ids), from the generated encoder. */
  readonly head: Uint8Array;
  /** Key of the envelope's oneof field that holds the body. */
  readonly bodyKey: Uint8Array;
  readonly body: EncodedBody;
}

/**
 * Size in bytes of the padding field that moves `position` to a multiple of 4: 0 when it
 * already is, else key + length + 1..4 filler bytes (four consecutive sizes cover every
 * remainder; at least one filler byte, because the generated code drops empty bytes
 * fields and re-encoding would then differ).
 */
export function paddingFieldSize(position: number, keySize: number = TENSOR_PADDING_KEY.length): number {
  const needed = (4 - (position % 4)) % 4;
  if (needed === 0) return 0;
  for (let filler = 1; filler <= 4; filler++) {
    const size = keySize + 1 + filler;
    if (size % 4 === needed) return size;
  }
  /* istanbul ignore next: four consecutive sizes always hit every remainder */
  throw new Error('unreachable');
}

function tensorContentSize(tensor: EncodedTensor, padding: number): number {
  return tensor.head.length + padding + TENSOR_DATA_KEY.length + varintSize(tensor.data.length) + tensor.data.length;
}

function fieldSize(keySize: number, contentSize: number): number {
  return keySize + varintSize(contentSize) + contentSize;
}

interface Layout {
  readonly paddings: readonly number[];
  readonly trailingContent: number;
  readonly bodyContent: number;
  readonly total: number;
}

function measure(envelope: SplicedEnvelope, paddings: readonly number[]): Layout {
  const { trailing } = envelope.body;
  let trailingContent = 0;
  if (trailing?.kind === 'bytes') trailingContent = trailing.data.length;
  if (trailing?.kind === 'weights') {
    trailing.tensors.forEach((t, i) => {
      trailingContent += fieldSize(WEIGHT_SET_TENSOR_KEY.length, tensorContentSize(t, paddings[i] ?? 0));
    });
  }
  const bodyContent = envelope.body.head.length + (trailing ? fieldSize(trailing.key.length, trailingContent) : 0);
  const total = envelope.head.length + fieldSize(envelope.bodyKey.length, bodyContent);
  return { paddings, trailingContent, bodyContent, total };
}

/** Offset of the weight set's first tensor field within the envelope. */
function weightSetStart(envelope: SplicedEnvelope, layout: Layout, key: Uint8Array): number {
  return (
    envelope.head.length +
    envelope.bodyKey.length +
    varintSize(layout.bodyContent) +
    envelope.body.head.length +
    key.length +
    varintSize(layout.trailingContent)
  );
}

/**
 * Paddings that align every tensor's data. Sizes depend on paddings (through length
 * varints) and paddings on positions, so iterate to a fixed point; it settles in one or
 * two rounds. If it ever did not, fall back to no padding: still valid, only unaligned.
 */
function alignedLayout(envelope: SplicedEnvelope, tensors: readonly EncodedTensor[], key: Uint8Array): Layout {
  let paddings: number[] = tensors.map(() => 0);
  for (let round = 0; round < 8; round++) {
    const layout = measure(envelope, paddings);
    let position = weightSetStart(envelope, layout, key);
    const next = tensors.map((t, i) => {
      const content = tensorContentSize(t, paddings[i]!);
      const dataStartUnpadded =
        position +
        WEIGHT_SET_TENSOR_KEY.length +
        varintSize(content) +
        t.head.length +
        TENSOR_DATA_KEY.length +
        varintSize(t.data.length);
      const padding = paddingFieldSize(dataStartUnpadded);
      position += fieldSize(WEIGHT_SET_TENSOR_KEY.length, content - paddings[i]! + padding);
      return padding;
    });
    if (next.every((p, i) => p === paddings[i])) return layout;
    paddings = next;
  }
  return measure(
    envelope,
    tensors.map(() => 0),
  );
}

function writePadding(out: Uint8Array, pos: number, size: number): number {
  if (size === 0) return pos;
  out.set(TENSOR_PADDING_KEY, pos);
  pos += TENSOR_PADDING_KEY.length;
  const filler = size - TENSOR_PADDING_KEY.length - 1;
  out[pos++] = filler;
  out.fill(0, pos, pos + filler);
  return pos + filler;
}

/** No padding, or a padding field with 1..4 filler bytes. */
const PADDING_CHOICES = [0, 1, 2, 3, 4].map((filler) => (filler === 0 ? 0 : TENSOR_PADDING_KEY.length + 1 + filler));

/** One `tensors` field of a WeightSet: key, length, header, padding, data. */
function writeTensorField(out: Uint8Array, pos: number, t: EncodedTensor, padding: number): number {
  out.set(WEIGHT_SET_TENSOR_KEY, pos);
  pos += WEIGHT_SET_TENSOR_KEY.length;
  pos = writeVarint(out, pos, tensorContentSize(t, padding));
  out.set(t.head, pos);
  pos += t.head.length;
  pos = writePadding(out, pos, padding);
  out.set(TENSOR_DATA_KEY, pos);
  pos += TENSOR_DATA_KEY.length;
  pos = writeVarint(out, pos, t.data.length);
  out.set(t.data, pos);
  return pos + t.data.length;
}

/** The encoded envelope. `align: false` skips the padding (the generated encoder's bytes). */
export function encodeSpliced(envelope: SplicedEnvelope, options: { align?: boolean } = {}): Uint8Array {
  const { trailing } = envelope.body;
  const layout =
    trailing?.kind === 'weights' && options.align !== false
      ? alignedLayout(envelope, trailing.tensors, trailing.key)
      : measure(envelope, []);

  // allocUnsafe: every byte is written below, so zero-filling would be wasted work.
  const out = Buffer.allocUnsafe(layout.total);
  let pos = 0;
  out.set(envelope.head, pos);
  pos += envelope.head.length;
  out.set(envelope.bodyKey, pos);
  pos += envelope.bodyKey.length;
  pos = writeVarint(out, pos, layout.bodyContent);
  out.set(envelope.body.head, pos);
  pos += envelope.body.head.length;

  if (trailing) {
    out.set(trailing.key, pos);
    pos += trailing.key.length;
    pos = writeVarint(out, pos, layout.trailingContent);
    if (trailing.kind === 'bytes') {
      out.set(trailing.data, pos);
      pos += trailing.data.length;
    } else {
      trailing.tensors.forEach((t, i) => {
        pos = writeTensorField(out, pos, t, layout.paddings[i] ?? 0);
      });
    }
  }
  /* istanbul ignore if: a layout bug must never ship a corrupt message */
  if (pos !== layout.total) throw new Error(`spliced encoder wrote ${pos} bytes, planned ${layout.total}`);
  return out;
}

/**
 * A standalone WeightSet message (e.g. a checkpoint), framed the same way: one copy of
 * each tensor, data 4-byte aligned from the start of the output. With no enclosing
 * length, each padding is found directly; in the rare case where a length varint grows
 * between candidates and none aligns, that tensor stays unaligned (still valid).
 */
export function encodeWeightSetMessage(tensors: readonly EncodedTensor[], options: { align?: boolean } = {}): Uint8Array {
  const paddings: number[] = [];
  let total = 0;
  for (const t of tensors) {
    let chosen = 0;
    if (options.align !== false) {
      for (const candidate of PADDING_CHOICES) {
        const dataStart =
          total +
          WEIGHT_SET_TENSOR_KEY.length +
          varintSize(tensorContentSize(t, candidate)) +
          t.head.length +
          candidate +
          TENSOR_DATA_KEY.length +
          varintSize(t.data.length);
        if (dataStart % 4 === 0) {
          chosen = candidate;
          break;
        }
      }
    }
    paddings.push(chosen);
    total += fieldSize(WEIGHT_SET_TENSOR_KEY.length, tensorContentSize(t, chosen));
  }
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  tensors.forEach((t, i) => {
    pos = writeTensorField(out, pos, t, paddings[i]!);
  });
  return out;
}
