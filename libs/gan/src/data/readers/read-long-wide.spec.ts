import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { denseRows, rowColumns } from '../binary-matrix';
import { createVocabulary } from '../vocabulary';
import { readDataset } from './read-dataset';
import { tempDir } from './test-paths';

describe('readDataset --format long', () => {
  const t = tempDir();
  afterAll(t.cleanup);
  const write = (name: string, text: string | Buffer) => {
    const file = path.join(t.dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('reads (record, code) pairs with the default patient,code columns', async () => {
    const file = write('pairs.csv', 'patient,code\np1,401\np1,250\np2,401\np1,401\n');
    const ds = await readDataset({ format: 'long', input: file });
    expect(ds.recordIds).toEqual(['p1', 'p2']);
    expect(ds.vocabulary.codes).toEqual(['250', '401']);
    expect(Array.from(denseRows(ds.matrix))).toEqual([1, 1, 0, 1]);
    expect(ds.stats.rows).toBe(4);
  });

  it('reads Synthea conditions.csv with named columns, keeping SNOMED codes opaque and quoted descriptions intact', async () => {
    const file = write(
      'conditions.csv',
      'START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION\r\n' +
        '2019-01-01,,a1,e1,44054006,"Diabetes mellitus type 2 (disorder)"\r\n' +
        '2019-02-01,,a1,e2,38341003,"Hypertension, essential (disorder)"\r\n' +
        '2020-01-01,,b2,e3,44054006,Diabetes\r\n',
    );
    const ds = await readDataset({ format: 'long', input: file, recordColumn: 'PATIENT', codeColumn: 'CODE' });
    expect(ds.recordIds).toEqual(['a1', 'b2']);
    expect(ds.vocabulary.codes).toEqual(['38341003', '44054006']);
    expect(Array.from(rowColumns(ds.matrix, 0))).toEqual([0, 1]);
  });

  it('accepts gzip', async () => {
    const file = write('pairs.csv.gz', gzipSync(Buffer.from('patient,code\nx,1\ny,2\n')));
    const ds = await readDataset({ format: 'long', input: file });
    expect(ds.matrix.rows).toBe(2);
  });

  it('maps onto a fixed vocabulary, dropping and counting unknown codes', async () => {
    const file = write('fixed.csv', 'patient,code\np1,401\np1,999\np2,250\n');
    const vocabulary = createVocabulary(['401', '250', '428']);
    const ds = await readDataset({ format: 'long', input: file, vocabulary });
    expect(ds.vocabulary).toBe(vocabulary);
    expect(ds.matrix.cols).toBe(3);
    expect(ds.stats.droppedCodes).toBe(1);
    expect(Array.from(denseRows(ds.matrix))).toEqual([0, 1, 0, 1, 0, 0]);
  });

  it('rolls ICD-9 codes up when asked', async () => {
    const file = write('roll.csv', 'patient,code\np1,4019\np1,4011\np2,E8798\n');
    const ds = await readDataset({ format: 'long', input: file, rollup: true });
    expect(ds.vocabulary.codes).toEqual(['401', 'E879']);
  });

  it('names a missing column and the option that sets it', async () => {
    const file = write('cols.csv', 'PATIENT,CODE\np,1\n');
    await expect(readDataset({ format: 'long', input: file, recordColumn: 'subject' })).rejects.toThrow(
      /cols\.csv:1: missing column 'subject' \(columns are: PATIENT, CODE\); name it with --record-column/,
    );
  });

  it('names file and line of an empty record id and of a malformed row', async () => {
    const a = write('noid.csv', 'patient,code\np1,1\n,2\n');
    await expect(readDataset({ format: 'long', input: a })).rejects.toThrow(/noid\.csv:3: empty record id in column 'patient'/);
    const b = write('bad.csv', 'patient,code\np1,1,extra\n');
    await expect(readDataset({ format: 'long', input: b })).rejects.toThrow(/bad\.csv:2: expected 2 fields as in the header, found 3/);
  });

  it('names a missing file', async () => {
    await expect(readDataset({ format: 'long', input: path.join(t.dir, 'absent.csv') })).rejects.toThrow(/absent\.csv: file not found/);
  });
});

describe('readDataset --format wide', () => {
  const t = tempDir();
  afterAll(t.cleanup);
  const write = (name: string, text: string) => {
    const file = path.join(t.dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('reads a binary file with an id column', async () => {
    const file = write('wide.csv', 'patient,401,250,428\na,1,0,1\nb,0,0,0\nc,0,1,0\n');
    const ds = await readDataset({ format: 'wide', input: file });
    expect(ds.recordIds).toEqual(['a', 'b', 'c']);
    expect(ds.vocabulary.codes).toEqual(['250', '401', '428']);
    // columns reordered to the canonical vocabulary order
    expect(Array.from(denseRows(ds.matrix))).toEqual([0, 1, 1, 0, 0, 0, 1, 0, 0]);
  });

  it('numbers records when there is no id column', async () => {
    const file = write('noid.csv', '401,250\n1,1\n0,1\n');
    const ds = await readDataset({ format: 'wide', input: file });
    expect(ds.recordIds).toEqual(['1', '2']);
    expect(ds.matrix.cols).toBe(2);
  });

  it('round-trips with a long file of the same records', async () => {
    const wide = await readDataset({ format: 'wide', input: write('w.csv', 'id,x,y,z\nr1,1,0,1\nr2,0,1,0\n') });
    const long = await readDataset({ format: 'long', input: write('l.csv', 'patient,code\nr1,x\nr1,z\nr2,y\n') });
    expect(wide.vocabulary.hash).toBe(long.vocabulary.hash);
    expect(Array.from(wide.matrix.indices)).toEqual(Array.from(long.matrix.indices));
  });

  it('refuses a non-binary value, naming file, line and column', async () => {
    const file = write('nb.csv', 'patient,401,250\na,1,0\nb,0,2\n');
    await expect(readDataset({ format: 'wide', input: file })).rejects.toThrow(/nb\.csv:3: column '250' holds '2'; a wide file holds only 0 or 1/);
  });

  it('refuses a repeated code column', async () => {
    const file = write('dup.csv', 'patient,401,401\na,1,0\n');
    await expect(readDataset({ format: 'wide', input: file })).rejects.toThrow(/dup\.csv:1: code column '401' appears twice/);
  });
});
