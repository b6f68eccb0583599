import { loadCoordinatorConfig } from './config/coordinator-config';
import { startCoordinator } from './start-coordinator';

/** `node apps/coordinator/dist/main.js`: configuration from the environment, then listen until a signal. */
async function main(): Promise<void> {
  const config = loadCoordinatorConfig(process.env);
  const coordinator = await startCoordinator(config);
  coordinator.app.enableShutdownHooks();
  console.log(`fedsynth coordinator listening on ${coordinator.url} (sites: ${coordinator.url}/sites, admin API: ${coordinator.url}/api, dashboard: ${coordinator.url}/dashboard)`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
