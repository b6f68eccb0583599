import { Module, type DynamicModule } from '@nestjs/common';
import { loadCoordinatorConfig, type CoordinatorConfig, type Environment } from './coordinator-config';

/** DI token of the validated CoordinatorConfig (an interface has no runtime token of its own). */
export const COORDINATOR_CONFIG = Symbol('COORDINATOR_CONFIG');

/**
 * Provides the coordinator's configuration to every module. Global, so feature modules
 * inject COORDINATOR_CONFIG without importing this module.
 */
@Module({})
export class ConfigModule {
  /**
   * A given config (tests) or one loaded from `env` (default `process.env`), validated
   * here, once, so a bad variable stops the boot with the full list of problems.
   */
  static forRoot(options: { config?: CoordinatorConfig; env?: Environment } = {}): DynamicModule {
    const config = options.config ?? loadCoordinatorConfig(options.env ?? process.env);
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: COORDINATOR_CONFIG, useValue: Object.freeze(config) }],
      exports: [COORDINATOR_CONFIG],
    };
  }
}
