import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import type { CoordinatorConfig, Environment } from './config/coordinator-config';
import { StoreModule } from './store/store.module';

/**
 * The coordinator application. For now: configuration and storage. The Socket.IO gateway
 * (sites), the REST API (admin) and the round service that drives the state machine
 * plug in here as their own modules.
 */
@Module({})
export class AppModule {
  static forRoot(options: { config?: CoordinatorConfig; env?: Environment } = {}): DynamicModule {
    return { module: AppModule, imports: [ConfigModule.forRoot(options), StoreModule] };
  }
}
