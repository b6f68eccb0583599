import type { BinaryMatrix } from '../binary-matrix';
import type { Dataset, ReadStats } from '../dataset';
import { createVocabulary, vocabularyIndex, type Vocabulary } from '../vocabulary';

/**
 * Collects (record id, code) pairs as a reader streams them and builds the binary matrix
 * at the end. Codes get provisional ids in arrival order; the final columns follow the
 * vocabulary's canonical order, so the same data always gives the same matrix.
 */
export class RecordAccumulator {
  private readonly recordIndex = new Map<string, number>();
  private readonly recordIds: string[] = [];
  private readonly recordCodes: number[][] = [];
  private readonly codeIds = new Map<string, number>();
  private readonly codes: string[] = [];
  private readonly fixed: Map<string, number> | undefined;
  // Diagnosis tables list a record's rows together, so the previous row's record is usually
  // this row's: comparing two short strings is far cheaper than hashing one into the Map.
  private lastId: string | undefined;
  private lastIndex = -1;
  readonly stats: ReadStats = { rows: 0, emptyCodes: 0, droppedCodes: 0, files: [] };

  constructor(private readonly vocabulary?: Vocabulary) {
    this.fixed = vocabulary ? vocabularyIndex(vocabulary) : undefined;
  }

  /** Ensures a record exists even if none of its codes survive (kept as an empty row). */
  record(id: string): number {
    if (id === this.lastId) return this.lastIndex;
    let r = this.recordIndex.get(id);
    if (r === undefined) {
      r = this.recordIds.length;
      this.recordIndex.set(id, r);
      this.recordIds.push(id);
      this.recordCodes.push([]);
    }
    this.lastId = id;
    this.lastIndex = r;
    return r;
  }

  add(recordId: string, code: string): void {
    const r = this.record(recordId);
    if (code.length === 0) {
      this.stats.emptyCodes++;
      return;
    }
    if (this.fixed) {
      const c = this.fixed.get(code);
      if (c === undefined) {
        this.stats.droppedCodes++;
        return;
      }
      this.recordCodes[r].push(c);
      return;
    }
    let c = this.codeIds.get(code);
    if (c === undefined) {
      c = this.codes.length;
      this.codeIds.set(code, c);
      this.codes.push(code);
    }
    this.recordCodes[r].push(c);
  }

  get recordCount(): number {
    return this.recordIds.length;
  }

  /** Builds the dataset; without a fixed vocabulary, keeps codes held by ≥ minCount records. */
  finish(minCount = 1): Dataset {
    let vocabulary: Vocabulary;
    let remap: Int32Array;
    if (this.vocabulary) {
      vocabulary = this.vocabulary;
      remap = Int32Array.from(vocabulary.codes, (_, i) => i);
    } else {
      const holders = new Uint32Array(this.codes.length);
      const lastHolder = new Int32Array(this.codes.length).fill(-1);
      this.recordCodes.forEach((row, r) => {
        for (const c of row) {
          if (lastHolder[c] === r) continue; // a code billed twice for one record counts once
          lastHolder[c] = r;
          holders[c]++;
        }
      });
      vocabulary = createVocabulary(this.codes.filter((_, c) => holders[c] >= minCount));
      const finalIndex = vocabularyIndex(vocabulary);
      remap = Int32Array.from(this.codes, (code) => finalIndex.get(code) ?? -1);
      for (let c = 0; c < this.codes.length; c++) if (remap[c] < 0) this.stats.droppedCodes += holders[c];
    }
    return { recordIds: this.recordIds, vocabulary, matrix: this.buildMatrix(remap, vocabulary.codes.length), stats: this.stats };
  }

  private buildMatrix(remap: Int32Array, cols: number): BinaryMatrix {
    const offsets = new Uint32Array(this.recordCodes.length + 1);
    let total = 0;
    for (const row of this.recordCodes) total += row.length;
    const indices = new Uint32Array(total);
    let nnz = 0;
    const seen = new Int32Array(cols).fill(-1);
    this.recordCodes.forEach((row, r) => {
      const start = nnz;
      for (const provisional of row) {
        const c = remap[provisional];
        if (c < 0 || seen[c] === r) continue; // dropped, or a code billed twice for one record
        seen[c] = r;
        indices[nnz++] = c;
      }
      indices.subarray(start, nnz).sort();
      offsets[r + 1] = nnz;
    });
    return { rows: this.recordCodes.length, cols, offsets, indices: indices.slice(0, nnz) };
  }
}
