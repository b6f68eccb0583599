/**
 * One hospital's site agent in a process of its own, for `npm run bench:federation` (the
 * benchmark's sites must not share a TensorFlow.js thread): the same runSiteAgent the
 * `fedsynth site` command runs.
 *
 *   FEDSYNTH_SITE_TOKEN=... node apps/coordinator/dist/bench/site-process.js \
 *       --url http://127.0.0.1:PORT --site site-1 --input DIR [--code-level full|category] \
 *       [--holdout 0.2] [--min-code-count 5]
 *
 * Runs until SIGTERM or SIGINT, then disconnects. Progress lines (aggregates only) go to stderr.
 */
import { runSiteAgent } from '@fedsynth/site-agent';
import { parseArgs } from 'node:util';
import { siteDataOptions } from './experiment-cohort';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      site: { type: 'string' },
      input: { type: 'string' },
      'code-level': { type: 'string', default: 'full' },
      holdout: { type: 'string', default: '0.2' },
      'min-code-count': { type: 'string', default: '5' },
    },
  });
  const token = process.env['FEDSYNTH_SITE_TOKEN'];
  const missing = ['url', 'site', 'input'].filter((k) => !values[k as 'url']);
  if (missing.length > 0 || !token) throw new Error(`site process needs ${[...missing.map((k) => `--${k}`), ...(token ? [] : ['FEDSYNTH_SITE_TOKEN'])].join(', ')}`);
  const codeLevel = values['code-level'];
  if (codeLevel !== 'full' && codeLevel !== 'category') throw new Error(`--code-level must be full or category, got '${codeLevel}'`);
  const stamp = (line: string) => process.stderr.write(`[${values.site}] ${line}\n`);
  const agent = await runSiteAgent({
    url: values.url!,
    siteId: values.site!,
    token,
    data: siteDataOptions(values.input!, { codeLevel, holdoutFraction: Number(values.holdout), splitSeed: 1, minCodeCount: Number(values['min-code-count']) }),
    log: stamp,
  });
  const stop = async () => {
    await agent.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`site process failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
