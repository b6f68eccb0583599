import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_MARKER, demoPaths, prepareWorkspace } from './demo-workspace';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fedsynth-demo-workspace-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('prepareWorkspace', () => {
  it('creates a missing folder with the marker and the logs folder, and empties an earlier demo', async () => {
    const paths = demoPaths(path.join(root, 'fresh', 'demo'));
    await prepareWorkspace(paths);
    expect((await readdir(paths.root)).sort()).toEqual([DEMO_MARKER, 'logs']);
    await writeFile(paths.synthetic, 'patient,code\n');
    await mkdir(paths.siteData(1), { recursive: true });
    await prepareWorkspace(paths);
    expect((await readdir(paths.root)).sort()).toEqual([DEMO_MARKER, 'logs']);
    expect(paths.siteData(2)).toBe(path.join(paths.root, 'data', 'site-2'));
  });

  it("refuses a non-empty folder that is not a demo's, and a file, leaving them untouched", async () => {
    const foreign = path.join(root, 'foreign');
    await mkdir(foreign);
    await writeFile(path.join(foreign, 'thesis.tex'), '...');
    await expect(prepareWorkspace(demoPaths(foreign))).rejects.toThrow(`--out ${foreign} is not empty and was not written by 'fedsynth demo'`);
    expect(await readdir(foreign)).toEqual(['thesis.tex']);
    const file = path.join(foreign, 'thesis.tex');
    await expect(prepareWorkspace(demoPaths(file))).rejects.toThrow(`--out ${file} is a file, not a folder`);
  });
});
