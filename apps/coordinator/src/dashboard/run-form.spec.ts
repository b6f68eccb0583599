import { CoordinatorError } from '../errors/coordinator-error';
import { checkRunOptions } from '../federation/run-options';
import { checkRunPlan } from '../rounds/run-plan';
import { problemsByField, runRequestFromForm } from './run-form';

/** The problems the API's own checks name for a request (plan over typical defaults, then options). */
function problemsOf(request: ReturnType<typeof runRequestFromForm>): string[] {
  const problems: string[] = [];
  const collect = (check: () => unknown) => {
    try {
      check();
    } catch (error) {
      problems.push(...((error as CoordinatorError).problems ?? []));
    }
  };
  collect(() => checkRunPlan({ phases: [{ phase: 'gan', rounds: 20 }], minSites: 2, roundDeadlineMs: 60_000, maxRoundRetries: 2, evaluateEvery: 0, ...request.plan }));
  collect(() => checkRunOptions(request.options));
  return problems;
}

describe('runRequestFromForm', () => {
  it('turns the form into the API body: phases from rounds per phase, the deadline in ms, nested options', () => {
    expect(
      runRequestFromForm({
        modelFamily: ' medgan ',
        autoencoderRounds: '2',
        ganRounds: '10',
        localEpochs: '3',
        localSteps: '72',
        minSites: '2',
        deadlineSeconds: '1.5',
        evaluateEvery: '5',
        maxRoundRetries: '1',
        batchSize: '64',
        learningRate: '1e-3',
        strategy: 'fedadam',
        minCodeCount: '4',
        latentDim: '16',
        generatorBlocks: '1',
        discriminatorDims: '32, 16',
      }),
    ).toEqual({
      plan: {
        phases: [
          { phase: 'autoencoder', rounds: 2 },
          { phase: 'gan', rounds: 10 },
        ],
        minSites: 2,
        roundDeadlineMs: 1500,
        evaluateEvery: 5,
        maxRoundRetries: 1,
      },
      options: {
        modelFamily: 'medgan',
        train: { localEpochs: 3, localSteps: 72, batchSize: 64, learningRate: 0.001 },
        strategy: { name: 'fedadam' },
        vocabulary: { minCodeCount: 4 },
        model: { latentDim: 16, generatorBlocks: 1, discriminatorDims: [32, 16] },
      },
      phaseFields: ['autoencoderRounds', 'ganRounds'],
    });
  });

  it('leaves empty fields out (the coordinator defaults apply) and drops a phase of 0 rounds', () => {
    expect(runRequestFromForm({ modelFamily: '', minSites: ' ', ganRounds: '3', autoencoderRounds: '0' })).toEqual({
      plan: { phases: [{ phase: 'gan', rounds: 3 }] },
      options: {},
      phaseFields: ['ganRounds'],
    });
    expect(runRequestFromForm({})).toEqual({ plan: {}, options: {}, phaseFields: [] });
  });

  it('passes text that is not a number on as NaN, for the API to name', () => {
    const request = runRequestFromForm({ minSites: 'two', deadlineSeconds: 'soon', localEpochs: '1x' });
    expect(request.plan.minSites).toBeNaN();
    expect(request.plan.roundDeadlineMs).toBeNaN();
    expect((request.options['train'] as { localEpochs: number }).localEpochs).toBeNaN();
  });
});

describe('problemsByField', () => {
  it('puts each problem the API names under its form field', () => {
    const request = runRequestFromForm({
      modelFamily: 'nope',
      autoencoderRounds: '1',
      ganRounds: '-2',
      localEpochs: '0',
      localSteps: '0',
      minSites: '0',
      deadlineSeconds: 'x',
      evaluateEvery: '-1',
      batchSize: '0',
      learningRate: '-1',
      strategy: 'fedbest',
      minCodeCount: '0',
    });
    const fields = problemsByField(problemsOf(request), request.phaseFields);
    expect(fields).toEqual({
      ganRounds: ['phases[1].rounds must be an integer ≥ 0'],
      minSites: ['minSites must be an integer ≥ 1'],
      deadlineSeconds: ['roundDeadlineMs must be an integer ≥ 1'],
      evaluateEvery: ['evaluateEvery must be an integer ≥ 0'],
      modelFamily: [expect.stringMatching(/^modelFamily must be one of seed, medgan, wgan-gp/)],
      strategy: [expect.stringMatching(/^unknown strategy "fedbest"/)],
      localEpochs: ['train.localEpochs must be an integer ≥ 1'],
      localSteps: ['train.localSteps must be an integer ≥ 1 (minibatches per round), or absent for whole epochs'],
      batchSize: ['train.batchSize must be an integer ≥ 1'],
      learningRate: ['train.learningRate must be a number > 0'],
      minCodeCount: ['vocabulary.minCodeCount must be an integer ≥ 1'],
    });
  });

  it('routes model architecture problems to their fields, and no rounds at all to both round fields', () => {
    const bad = runRequestFromForm({ latentDim: '-3', discriminatorDims: '16, x' });
    expect(problemsByField(problemsOf(bad), bad.phaseFields)).toEqual({ latentDim: [expect.stringMatching(/^model option latentDim/)] });
    const dims = runRequestFromForm({ discriminatorDims: '16, x' });
    expect(Object.keys(problemsByField(problemsOf(dims), dims.phaseFields))).toEqual(['discriminatorDims']);
    const none = runRequestFromForm({ autoencoderRounds: '0', ganRounds: '0' });
    expect(problemsByField(problemsOf(none), none.phaseFields)).toEqual({ rounds: ['phases must be a non-empty list'] });
  });

  it('keeps a problem no field owns for the form as a whole', () => {
    expect(problemsByField(['something else entirely'], [])).toEqual({ form: ['something else entirely'] });
  });
});

describe('the fixed vocabulary field', () => {
  it('takes codes one per line, as a pasted vocabulary file (header skipped), or separated by commas or spaces', () => {
    const pasted = runRequestFromForm({ fixedVocabulary: '# fedsynth vocabulary: 3 codes, sha256 abc\n401\r\n428\n\nV45\n', codeLevel: 'category' });
    expect(pasted.options).toEqual({ vocabulary: { codeLevel: 'category', fixed: ['401', '428', 'V45'] } });
    expect(runRequestFromForm({ fixedVocabulary: '4019, 25000 5849', codeLevel: ' full ' }).options).toEqual({
      vocabulary: { codeLevel: 'full', fixed: ['4019', '25000', '5849'] },
    });
    expect(checkRunOptions(pasted.options).vocabulary).toEqual({ codeLevel: 'category', minCodeCount: 5, fixed: ['401', '428', 'V45'] });
  });

  it('shows the API\'s problems with the codes and the code level under their fields', () => {
    const request = runRequestFromForm({ fixedVocabulary: '401\n4019\n401', codeLevel: 'icd10' });
    expect(problemsByField(problemsOf(request), request.phaseFields)).toEqual({
      codeLevel: ['vocabulary.codeLevel must be full or category'],
      fixedVocabulary: ['vocabulary.fixed[2] "401" repeats vocabulary.fixed[0]'],
    });
    const wrongLevel = runRequestFromForm({ fixedVocabulary: '401\n4019' });
    expect(problemsByField(problemsOf(wrongLevel), wrongLevel.phaseFields)).toEqual({
      fixedVocabulary: [expect.stringMatching(/^vocabulary\.fixed\[1\] "4019" is not a category code .*holds '401'/)],
    });
  });
});
