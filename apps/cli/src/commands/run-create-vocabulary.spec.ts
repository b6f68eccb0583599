import { createVocabulary, saveVocabulary } from '@fedsynth/gan';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli, useTestCoordinator } from '../__fixtures__/cli-harness';
import { describeSiteEvent } from './site.command';

// `fedsynth run create --vocabulary FILE`: a bad file fails before the network, naming the
// file and line; a good one reaches a real coordinator as the run's fixed vocabulary.
const TOKEN = 'vocab-admin-token-0123456789';
const DICTIONARY = join(__dirname, '../../../../data/mimic-iii-demo/D_ICD_DIAGNOSES.csv');
const coordinator = useTestCoordinator({ adminToken: TOKEN, prefix: 'fedsynth-cli-vocabulary-' });

/** Writes `text` into the test folder and returns its path. */
async function file(name: string, text: string): Promise<string> {
  const path = join(coordinator.dir, name);
  await writeFile(path, text);
  return path;
}

async function fixedOf(runId: string): Promise<unknown> {
  const response = await fetch(`${coordinator.url}/api/runs/${runId}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const { run } = (await response.json()) as { run: { options: { vocabulary: { codeLevel: string; fixed?: string[] } } } };
  return run.options.vocabulary;
}

describe('fedsynth run create --vocabulary FILE', () => {
  // Port 9 is closed: these must fail on the file, before any request.
  const create = (...args: string[]) => cli('run', 'create', '--coordinator', 'http://127.0.0.1:9', ...args);

  it.each([
    ['a code that is not a category', 'cats.txt', '# categories\n401\n4019\n', /cats\.txt:3: code '4019' is not a category code .*holds '401'/],
    ['a repeated code', 'repeat.txt', '401\n428\n401\n', /repeat\.txt:3: code '401' repeats line 1/],
    ['two codes on a line', 'comma.txt', '401,428\n', /comma\.txt:1: '401,428' is not a single code/],
    ['a code with a space', 'space.txt', '401\n42 8\n', /space\.txt:2: code '42 8' holds spaces/],
    ['no code at all', 'empty.txt', '# nothing here\n\n', /empty\.txt: vocabulary file holds no codes/],
    ['a stated hash its codes do not match', 'edited.txt', `# fedsynth vocabulary: 1 codes, sha256 ${'0'.repeat(64)}\n401\n`, /edited\.txt: its header states hash 0{64} but its codes hash to/],
  ])('refuses %s, naming the file (and the line when there is one)', async (_, name, text, message) => {
    const r = await create('--vocabulary', await file(name, text));
    expect(r.code).not.toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });

  it('refuses a missing file, a dictionary code with a space (by its CSV line), too many codes, and --min-code-count beside it', async () => {
    const missing = join(coordinator.dir, 'no-such.txt');
    expect((await create('--vocabulary', missing)).err).toContain(`${missing}: vocabulary file not found`);

    const dictionary = await file('dictionary.csv', 'row_id,icd9_code,short_title\n1,4019,Hypertension NOS\n2,"25 00",Diabetes\n');
    expect((await create('--vocabulary', dictionary, '--code-level', 'full')).err).toMatch(/dictionary\.csv:3: code '25 00' holds spaces/);

    const huge = await file('huge.txt', Array.from({ length: 20_001 }, (_, i) => `C${i}`).join('\n'));
    expect((await create('--vocabulary', huge, '--code-level', 'full')).err).toMatch(/huge\.txt: holds 20001 codes; a run's fixed vocabulary may hold at most 20000/);

    const good = await file('good.txt', '401\n');
    expect((await create('--vocabulary', good, '--min-code-count', '3')).err).toContain('--min-code-count applies only to the union vocabulary; drop it or --vocabulary');
  });

  it('sends the codes of a saved vocabulary file as the run\'s fixed vocabulary, in canonical order', async () => {
    const path = join(coordinator.dir, 'saved.txt');
    await saveVocabulary(path, createVocabulary(['428', '401', 'V45', 'E878']));
    const r = await cli('run', 'create', '--coordinator', coordinator.url, '--vocabulary', path);
    expect(r.err).toContain('Created run');
    expect(await fixedOf(r.out.trim())).toEqual({ codeLevel: 'category', minCodeCount: 5, fixed: ['401', '428', 'E878', 'V45'] });
  });

  it('reads a dictionary CSV, rolled up at the category level, whole at the full level (14,567 codes: over the default body size)', async () => {
    const categories = await cli('run', 'create', '--coordinator', coordinator.url, '--vocabulary', DICTIONARY);
    const rolled = (await fixedOf(categories.out.trim())) as { fixed: string[] };
    expect(rolled.fixed.length).toBeGreaterThan(1000);
    expect(rolled.fixed.every((code) => code.length === (code.startsWith('E') ? 4 : 3))).toBe(true);
    expect(rolled.fixed).toContain('401');

    const full = await cli('run', 'create', '--coordinator', coordinator.url, '--vocabulary', DICTIONARY, '--code-level', 'full');
    expect(full.err).toContain('Created run');
    const whole = (await fixedOf(full.out.trim())) as { codeLevel: string; fixed: string[] };
    expect(whole.codeLevel).toBe('full');
    expect(whole.fixed).toHaveLength(14_567);
    expect(whole.fixed).toEqual([...whole.fixed].sort());
  });
});

describe('fedsynth site, on a fixed vocabulary', () => {
  it('reports the agreement with counts only', () => {
    expect(describeSiteEvent({ type: 'vocabulary', runId: 'r', source: 'fixed', size: 12, coveredRecords: 25, dropped: { codes: 140, records: 26 } })).toBe(
      'run r: fixed vocabulary agreed, 12 codes, 25 records covered; 140 codes of this site dropped (outside it)',
    );
  });
});
