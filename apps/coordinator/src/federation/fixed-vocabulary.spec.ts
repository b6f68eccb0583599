import { CoordinatorError } from '../errors/coordinator-error';
import { checkFixedVocabulary, fixedCodeProblem, MAX_FIXED_VOCABULARY_CODES } from './fixed-vocabulary';
import { checkRunOptions } from './run-options';

/** The problems checkRunOptions lists for the input (none: []). */
function problemsOf(input: unknown): readonly string[] {
  try {
    checkRunOptions(input);
    return [];
  } catch (error) {
    return (error as CoordinatorError).problems ?? [];
  }
}

describe('fixedCodeProblem', () => {
  it.each([
    ['401', 'category'],
    ['V45', 'category'],
    ['E879', 'category'],
    ['4019', 'full'],
    ['V4581', 'full'],
    ['E8798', 'full'],
    ['38341000', 'full'], // a SNOMED code from Synthea: full-level codes are opaque
  ] as const)('accepts %s at the %s level', (code, level) => {
    expect(fixedCodeProblem(code, level)).toBeUndefined();
  });

  it.each([
    ['4019', 'category', /is not a category code .*holds '401'/],
    ['E8798', 'category', /is not a category code .*holds 'E879'/],
    ['', 'full', /is empty/],
    ['40 19', 'full', /spaces/],
    [' 401', 'category', /spaces/],
    ['4019\n', 'full', /spaces/],
    ['é01', 'full', /printable ASCII/],
    ['X'.repeat(33), 'full', /longer than 32 characters/],
    [401, 'category', /is not a string/],
  ] as const)('refuses %j at the %s level', (code, level, why) => {
    expect(fixedCodeProblem(code, level)).toMatch(why);
  });
});

describe('checkFixedVocabulary', () => {
  it('returns the codes in canonical (sorted) order', () => {
    expect(checkFixedVocabulary(['428', '401', 'V45', '250'], 'category')).toEqual({ codes: ['250', '401', '428', 'V45'], problems: [] });
  });

  it('names the field and index of each bad code, and a repeat by its first index', () => {
    expect(checkFixedVocabulary(['401', '4019', '', '401'], 'category').problems).toEqual([
      expect.stringMatching(/^vocabulary\.fixed\[1\] "4019" is not a category code/),
      'vocabulary.fixed[2] "" is empty',
      'vocabulary.fixed[3] "401" repeats vocabulary.fixed[0]',
    ]);
  });

  it('lists five bad codes and counts the rest', () => {
    const problems = checkFixedVocabulary(['4011', '4012', '4013', '4014', '4015', '4016', '4017', '401'], 'category').problems;
    expect(problems).toHaveLength(6);
    expect(problems[5]).toBe('vocabulary.fixed: 2 more bad codes not listed');
  });

  it('refuses a list that is not one, an empty one and one over the size limit', () => {
    expect(checkFixedVocabulary('401,428', 'category').problems).toEqual(['vocabulary.fixed must be a list of codes']);
    expect(checkFixedVocabulary([], 'category').problems).toEqual(['vocabulary.fixed must hold at least one code']);
    const tooMany = Array.from({ length: MAX_FIXED_VOCABULARY_CODES + 1 }, (_, i) => `C${i}`);
    expect(checkFixedVocabulary(tooMany, 'full').problems).toEqual([
      `vocabulary.fixed holds ${MAX_FIXED_VOCABULARY_CODES + 1} codes; a fixed vocabulary may hold at most ${MAX_FIXED_VOCABULARY_CODES}`,
    ]);
    expect(checkFixedVocabulary(tooMany.slice(1), 'full').codes).toHaveLength(MAX_FIXED_VOCABULARY_CODES);
  });
});

describe('checkRunOptions with vocabulary.fixed', () => {
  it('keeps a fixed list in canonical order beside the code level and k; without one the union is meant', () => {
    expect(checkRunOptions({ vocabulary: { fixed: ['V45', '401'] } }).vocabulary).toEqual({ codeLevel: 'category', minCodeCount: 5, fixed: ['401', 'V45'] });
    expect(checkRunOptions({ vocabulary: { codeLevel: 'full', fixed: ['4019', '25000'] } }).vocabulary).toEqual({ codeLevel: 'full', minCodeCount: 5, fixed: ['25000', '4019'] });
    expect(checkRunOptions({}).vocabulary).toEqual({ codeLevel: 'category', minCodeCount: 5 });
    expect(checkRunOptions({}).vocabulary).not.toHaveProperty('fixed');
  });

  it('checks the codes against the code level, and lists them with the other problems', () => {
    expect(problemsOf({ train: { batchSize: 0 }, vocabulary: { fixed: ['401', '4019'] } })).toEqual([
      'train.batchSize must be an integer ≥ 1',
      expect.stringMatching(/^vocabulary\.fixed\[1\] "4019" is not a category code/),
    ]);
    expect(problemsOf({ vocabulary: { codeLevel: 'full', fixed: ['401', '4019'] } })).toEqual([]);
  });

  it('refuses an empty, repeated, mistyped or too long list', () => {
    expect(problemsOf({ vocabulary: { fixed: [] } })).toEqual(['vocabulary.fixed must hold at least one code']);
    expect(problemsOf({ vocabulary: { fixed: ['401', '401'] } })).toEqual(['vocabulary.fixed[1] "401" repeats vocabulary.fixed[0]']);
    expect(problemsOf({ vocabulary: { fixed: '401\n428' } })).toEqual(['vocabulary.fixed must be a list of codes']);
    expect(problemsOf({ vocabulary: { fixed: [401] } })).toEqual(['vocabulary.fixed[0] 401 is not a string']);
    const tooMany = Array.from({ length: MAX_FIXED_VOCABULARY_CODES + 1 }, (_, i) => String(i));
    expect(problemsOf({ vocabulary: { codeLevel: 'full', fixed: tooMany } })).toEqual([expect.stringMatching(/holds 20001 codes; a fixed vocabulary may hold at most 20000/)]);
  });

  it('with a bad code level, checks only the form of the codes', () => {
    expect(problemsOf({ vocabulary: { codeLevel: 'icd10', fixed: ['4019', 'a b'] } })).toEqual([
      'vocabulary.codeLevel must be full or category',
      'vocabulary.fixed[1] "a b" holds spaces or characters other than printable ASCII',
    ]);
  });

  it('is stable: stored options checked again give the same list', () => {
    const once = checkRunOptions({ vocabulary: { fixed: ['428', '401'] } });
    expect(checkRunOptions(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });
});
