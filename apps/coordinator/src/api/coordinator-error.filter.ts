import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { CoordinatorError } from '../errors/coordinator-error';

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  RUN_NOT_FOUND: 404,
  GENERATOR_NOT_READY: 404,
  RUN_STATE: 409,
  INVALID_PLAN: 400,
  INVALID_OPTIONS: 400,
  SITE_NOT_FOUND: 404,
  SITE_AMBIGUOUS: 409,
};

/** Domain errors as HTTP answers: known codes get their status, others 500; the message is kept. */
@Catch(CoordinatorError)
export class CoordinatorErrorFilter implements ExceptionFilter {
  catch(error: CoordinatorError, host: ArgumentsHost): void {
    const status = STATUS_BY_CODE[error.code] ?? 500;
    host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>().status(status).json({ statusCode: status, code: error.code, message: error.message });
  }
}
