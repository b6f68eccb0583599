import { shapeSize, type NamedTensor } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';

/**
 * Whether two weight sets hold the same tensors (names, shapes, lengths), and how they
 * differ when not. Tensors are matched by name, not position, so a site that lists its
 * tensors in another order is still aggregated correctly.
 */

export type LayoutProblem =
  | { kind: 'missing'; name: string }
  | { kind: 'extra'; name: string }
  | { kind: 'duplicate'; name: string; side: 'expected' | 'actual' }
  | { kind: 'shape'; name: string; expectedShape: readonly number[]; actualShape: readonly number[] }
  | { kind: 'length'; name: string; shape: readonly number[]; length: number; side: 'expected' | 'actual' };

/** How the two sides are named in messages, e.g. `the global weights`, `site "h2"'s update`. */
export interface LayoutLabels {
  expected: string;
  actual: string;
}

const MAX_NAMES_LISTED = 8;

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function namesText(names: readonly string[]): string {
  const listed = names.slice(0, MAX_NAMES_LISTED).map((n) => JSON.stringify(n));
  const more = names.length > MAX_NAMES_LISTED ? ` and ${names.length - MAX_NAMES_LISTED} more` : '';
  return listed.join(', ') + more;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function indexByName(tensors: readonly NamedTensor[], side: 'expected' | 'actual', problems: LayoutProblem[]): Map<string, number> {
  const index = new Map<string, number>();
  tensors.forEach((tensor, i) => {
    if (index.has(tensor.name)) problems.push({ kind: 'duplicate', name: tensor.name, side });
    else index.set(tensor.name, i);
    if (shapeSize(tensor.shape) !== tensor.data.length) {
      problems.push({ kind: 'length', name: tensor.name, shape: tensor.shape, length: tensor.data.length, side });
    }
  });
  return index;
}

/** Every difference between the two layouts; empty when they match. */
export function compareLayouts(expected: readonly NamedTensor[], actual: readonly NamedTensor[]): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const expectedIndex = indexByName(expected, 'expected', problems);
  const actualIndex = indexByName(actual, 'actual', problems);
  for (const [name, i] of expectedIndex) {
    const j = actualIndex.get(name);
    if (j === undefined) problems.push({ kind: 'missing', name });
    else if (!sameShape(expected[i]!.shape, actual[j]!.shape)) {
      problems.push({ kind: 'shape', name, expectedShape: expected[i]!.shape, actualShape: actual[j]!.shape });
    }
  }
  for (const name of actualIndex.keys()) if (!expectedIndex.has(name)) problems.push({ kind: 'extra', name });
  return problems;
}

/** One sentence per kind of problem, naming both sides. */
export function describeLayoutProblems(problems: readonly LayoutProblem[], labels: LayoutLabels): string {
  const sentences: string[] = [];
  const missing = problems.filter((p) => p.kind === 'missing').map((p) => p.name);
  const extra = problems.filter((p) => p.kind === 'extra').map((p) => p.name);
  if (missing.length > 0) {
    sentences.push(`${labels.actual} lacks ${namesText(missing)}, present in ${labels.expected}`);
  }
  if (extra.length > 0) {
    sentences.push(`${labels.actual} has ${namesText(extra)}, absent from ${labels.expected}`);
  }
  for (const p of problems) {
    if (p.kind === 'shape') {
      sentences.push(
        `tensor ${JSON.stringify(p.name)} has shape ${shapeText(p.expectedShape)} in ${labels.expected} ` +
          `but ${shapeText(p.actualShape)} in ${labels.actual}`,
      );
    } else if (p.kind === 'length') {
      sentences.push(
        `tensor ${JSON.stringify(p.name)} in ${labels[p.side]} has shape ${shapeText(p.shape)} ` +
          `(${shapeSize(p.shape)} values) but holds ${p.length}`,
      );
    } else if (p.kind === 'duplicate') {
      sentences.push(`tensor ${JSON.stringify(p.name)} appears more than once in ${labels[p.side]}`);
    }
  }
  return sentences.join('; ');
}

/**
 * The data of `actual`, reordered to `expected`'s tensor order, after checking that the
 * layouts match. Throws a CoordinatorError (`LAYOUT_MISMATCH`) naming both sides.
 * Returns views, never copies: aggregation reads them in place.
 */
export function alignToLayout(
  expected: readonly NamedTensor[],
  actual: readonly NamedTensor[],
  labels: LayoutLabels,
): Float32Array[] {
  // Fast path: same order and shapes, which is what every well-behaved site sends.
  if (expected.length === actual.length) {
    let same = true;
    for (let i = 0; i < expected.length && same; i++) {
      const e = expected[i]!;
      const a = actual[i]!;
      same = e.name === a.name && sameShape(e.shape, a.shape) && a.data.length === e.data.length && a.data.length === shapeSize(a.shape);
    }
    if (same && new Set(expected.map((t) => t.name)).size === expected.length) return actual.map((t) => t.data);
  }
  const problems = compareLayouts(expected, actual);
  if (problems.length > 0) {
    throw new CoordinatorError(`weight layouts differ: ${describeLayoutProblems(problems, labels)}`, 'LAYOUT_MISMATCH');
  }
  const byName = new Map(actual.map((t) => [t.name, t.data] as const));
  return expected.map((t) => byName.get(t.name)!);
}
