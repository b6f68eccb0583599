import { initBackend } from '@fedsynth/gan';
import { SiteAgent } from './site-agent';
import type { SiteAgentOptions } from './site-agent-options';

/** For the CLI: selects the TensorFlow.js backend, then starts a connected agent. */
export async function runSiteAgent(options: SiteAgentOptions): Promise<SiteAgent> {
  await initBackend({ log: options.log });
  const agent = new SiteAgent(options);
  await agent.start();
  return agent;
}
