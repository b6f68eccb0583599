import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AdminTokenGuard } from '../api/admin-token.guard';
import { CoordinatorErrorFilter } from '../api/coordinator-error.filter';
import { sameSecret } from '../api/same-secret';
import { COORDINATOR_CONFIG } from '../config/config.module';
import type { CoordinatorConfig } from '../config/coordinator-config';
import { CoordinatorError } from '../errors/coordinator-error';
import { RoundService } from '../federation/round.service';
import { checkRunOptions } from '../federation/run-options';
import { GENERATOR_FILES, GeneratorExportService } from '../generator/generator-export.service';
import { AuditRepository } from '../store/audit.repository';
import { AdminSessions, CSRF_HEADER, SESSION_COOKIE, SESSION_TTL_MS } from './admin-sessions';
import { sessionCookie } from './cookies';
import { DashboardAssets } from './dashboard-assets';
import { problemsByField, runRequestFromForm, type RunForm } from './run-form';
import { storedZip } from './stored-zip';

/** The slice of Express's request the dashboard reads. */
interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  /** True over HTTPS (the session cookie is then marked Secure). */
  secure?: boolean;
  ip?: string;
}

/** The slice of Express's response the dashboard writes. */
interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string | string[]): unknown;
  type(contentType: string): HttpResponse;
  send(body: string | Buffer): unknown;
  redirect(status: number, url: string): void;
}

/**
 * The pages only load this origin's own script, style and connections: nothing from a CDN
 * can run even if a file referred to one, and no other site may frame the dashboard.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function sendPage(response: HttpResponse, status: number, html: string): void {
  response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('referrer-policy', 'no-referrer');
  response.setHeader('cache-control', 'no-store');
  response.status(status).type('text/html; charset=utf-8').send(html);
}

/**
 * The dashboard's HTTP side: the login form (admin token in, HttpOnly SameSite=Strict
 * session cookie out), logout, the page and its static files, the "new run" form (the
 * API's own checks, problems sorted by field) and the generator of any completed GAN round
 * as a zip. Live data goes over Socket.IO (dashboard.gateway.ts); actions use the REST API,
 * which accepts the session (AdminTokenGuard).
 */
@Controller('dashboard')
export class DashboardController {
  constructor(
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Inject(AdminSessions) private readonly sessions: AdminSessions,
    @Inject(DashboardAssets) private readonly assets: DashboardAssets,
    @Inject(AuditRepository) private readonly audit: AuditRepository,
    @Inject(RoundService) private readonly rounds: RoundService,
    @Inject(GeneratorExportService) private readonly generators: GeneratorExportService,
  ) {}

  @Get()
  page(@Req() request: HttpRequest, @Res() response: HttpResponse): void {
    const session = this.sessions.fromCookieHeader(request.headers['cookie']);
    if (!session) return response.redirect(303, '/dashboard/login');
    sendPage(response, 200, this.assets.page('index.html', { csrf: session.csrfToken }));
  }

  @Get('login')
  loginPage(@Req() request: HttpRequest, @Res() response: HttpResponse): void {
    if (this.sessions.fromCookieHeader(request.headers['cookie'])) return response.redirect(303, '/dashboard');
    sendPage(response, 200, this.assets.page('login.html', { error: '' }));
  }

  /** The admin token, posted by the login form; a wrong one is refused (401) and audited. */
  @Post('login')
  login(@Body() body: { token?: unknown } | undefined, @Req() request: HttpRequest, @Res() response: HttpResponse): void {
    const token = typeof body?.token === 'string' ? body.token.trim() : '';
    const address = request.ip ?? null;
    if (token === '' || !sameSecret(token, this.config.adminToken)) {
      this.audit.append({ actor: 'anonymous', action: 'dashboard.login.refused', details: { address } });
      return sendPage(response, 401, this.assets.page('login.html', { error: 'That is not the admin token (FEDSYNTH_ADMIN_TOKEN). Try again.' }));
    }
    const { id } = this.sessions.create();
    this.audit.append({ actor: 'admin', action: 'dashboard.login', details: { address } });
    response.setHeader('set-cookie', sessionCookie(SESSION_COOKIE, id, { maxAgeSeconds: SESSION_TTL_MS / 1000, secure: request.secure === true }));
    response.redirect(303, '/dashboard');
  }

  /** Ends the session (its sockets close within a poll) and deletes the cookie. */
  @Post('logout')
  logout(@Body() body: { csrf?: unknown } | undefined, @Req() request: HttpRequest, @Res() response: HttpResponse): void {
    const id = this.sessions.idFromCookieHeader(request.headers['cookie']);
    const session = this.sessions.find(id);
    const presented = typeof body?.csrf === 'string' ? body.csrf : request.headers[CSRF_HEADER];
    // Only the page itself can log its session out (a cross-site form cannot know the token).
    if (session && typeof presented === 'string' && sameSecret(presented, session.csrfToken)) {
      this.sessions.destroy(id);
      this.audit.append({ actor: 'admin', action: 'dashboard.logout' });
    }
    response.setHeader('set-cookie', sessionCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: request.secure === true }));
    response.redirect(303, '/dashboard/login');
  }

  /** The page's own files (no login needed: they hold no data). */
  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() response: HttpResponse): void {
    const asset = this.assets.get(file);
    if (!asset || file.endsWith('.html')) throw new NotFoundException(`no dashboard asset ${file}`);
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('cache-control', 'no-cache');
    response.status(200).type(asset.contentType).send(asset.body);
  }

  /**
   * Creates a run from the form. The same checks as `POST /api/runs` (RoundService.createRun)
   * decide; when they refuse, the plan and the options are both checked so every problem is
   * listed, sorted by form field: 400 `{ message, fields: { minSites: [...], ... } }`.
   */
  @Post('api/runs')
  @UseGuards(AdminTokenGuard)
  createRun(@Body() form: RunForm | undefined) {
    const request = runRequestFromForm(form ?? {});
    try {
      return this.rounds.createRun({ plan: request.plan, options: request.options });
    } catch (error) {
      if (!(error instanceof CoordinatorError) || (error.code !== 'INVALID_PLAN' && error.code !== 'INVALID_OPTIONS')) throw error;
      const problems = [...(error.problems ?? [error.message])];
      if (error.code === 'INVALID_PLAN') {
        try {
          checkRunOptions(request.options);
        } catch (optionsError) {
          if (!(optionsError instanceof CoordinatorError)) throw optionsError;
          problems.push(...(optionsError.problems ?? [optionsError.message]));
        }
      }
      throw new BadRequestException({ statusCode: 400, message: `the run was not created: ${problems.join('; ')}`, fields: problemsByField(problems, request.phaseFields) });
    }
  }

  /**
   * The generator of a completed GAN round (0-based, as stored) as one zip: model.json and
   * weights.bin (tf.loadLayersModel, or tf.io.browserFiles in a browser), fedsynth.json
   * (vocabulary, provenance) and state.bin, in a folder that `fedsynth sample --model`
   * reads once unpacked.
   */
  @Get('runs/:id/rounds/:round/generator.zip')
  @HttpCode(200)
  @UseGuards(AdminTokenGuard)
  @UseFilters(CoordinatorErrorFilter)
  async generatorZip(@Param('id') id: string, @Param('round') roundText: string, @Res() response: HttpResponse): Promise<void> {
    if (!/^\d{1,9}$/.test(roundText)) throw new BadRequestException(`round must be a round number (0, 1, 2, ...), got ${JSON.stringify(roundText)}`);
    const round = Number(roundText);
    const dir = await this.generators.exportDir(id, round);
    const folder = `fedsynth-generator-${id.slice(0, 8)}-round-${round + 1}`;
    const files = GENERATOR_FILES.filter((name) => existsSync(join(dir, name)));
    const entries = await Promise.all(files.map(async (name) => ({ name: `${folder}/${name}`, data: await readFile(join(dir, name)) })));
    const zip = storedZip(entries, (await stat(join(dir, 'model.json'))).mtime);
    response.setHeader('content-disposition', `attachment; filename="${folder}.zip"`);
    response.setHeader('cache-control', 'no-store');
    response.status(200).type('application/zip').send(zip);
  }
}
