import { Global, Module } from '@nestjs/common';
import { AdminSessions } from './admin-sessions';

/**
 * The dashboard's login sessions, global so the REST API's AdminTokenGuard (federation
 * module) accepts a dashboard session beside the bearer token. Without this module the
 * guard accepts the bearer token only.
 */
@Global()
@Module({
  providers: [{ provide: AdminSessions, useFactory: () => new AdminSessions() }],
  exports: [AdminSessions],
})
export class AdminSessionsModule {}
