import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { initBackend } from '@fedsynth/gan';
import type { AddressInfo } from 'node:net';
import { adminAuthLimit } from './api/admin-auth-limit';
import { AppModule } from './app.module';
import type { CoordinatorConfig } from './config/coordinator-config';
import { loadTlsCredentials } from './config/tls-credentials';
import { AdminSessionsModule } from './dashboard/admin-sessions.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { FederationModule } from './federation/federation.module';
import { AuditRepository } from './store/audit.repository';
import { CoordinatorStore } from './store/coordinator-store';

const LEVELS: readonly LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Largest JSON request body. Express's default (100 kB) is too small for a run created with
 * a fixed vocabulary of MAX_FIXED_VOCABULARY_CODES codes (up to 32 characters each).
 */
const JSON_BODY_LIMIT = '2mb';

/** AppModule (config + store) with the federation (gateway, rounds, REST API) and the dashboard on top. */
@Module({})
export class CoordinatorModule {
  static forRoot(config: CoordinatorConfig): DynamicModule {
    return { module: CoordinatorModule, imports: [AppModule.forRoot({ config }), AdminSessionsModule, FederationModule, DashboardModule] };
  }
}

export interface RunningCoordinator {
  /** Base URL, e.g. http://127.0.0.1:8080 (sites connect to url + /sites, admins to url + /api). */
  readonly url: string;
  readonly app: INestApplication;
  close(): Promise<void>;
}

/**
 * Boots the coordinator from a validated config and listens: for main.ts, the CLI and tests
 * (port 0 picks a free port). With FEDSYNTH_TLS_CERT/KEY the server is HTTPS, and the sites'
 * Socket.IO (same server) is WSS; the files are read and checked first, so a bad path or a
 * mismatched key stops the start with a ConfigError. The TensorFlow.js backend is chosen
 * next, since exporting a generator and building the initial weights use it.
 */
export async function startCoordinator(config: CoordinatorConfig, options: { logger?: false } = {}): Promise<RunningCoordinator> {
  const tls = config.tls ? loadTlsCredentials(config.tls) : null;
  const logger = options.logger === false ? false : LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1);
  await initBackend({ log: (line) => (logger === false ? undefined : console.log(line)) });
  const app = await NestFactory.create<NestExpressApplication>(CoordinatorModule.forRoot(config), { logger, ...(tls ? { httpsOptions: { cert: tls.cert, key: tls.key } } : {}) });
  // Before the routes (registered at listen): a client that keeps failing admin authentication is held off.
  app.use(adminAuthLimit(config.rateLimits, app.get(AuditRepository, { strict: false })));
  // After it, as Nest's default parser would be: a held-off client's body is not read.
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return { url: `${tls ? 'https' : 'http'}://${host}:${port}`, app, close: () => app.close() };
}

/** Registers a site in the coordinator's database and returns its token (shown once). For the CLI. */
export function addSite(config: Pick<CoordinatorConfig, 'databasePath'>, input: { name: string; id?: string }): { siteId: string; token: string } {
  const store = CoordinatorStore.open({ path: config.databasePath });
  try {
    const { site, token } = store.transaction(() => {
      const registered = store.sites.register(input);
      store.audit.append({ actor: 'admin', action: 'site.registered', subject: registered.site.id });
      return registered;
    });
    return { siteId: site.id, token };
  } finally {
    store.close();
  }
}
