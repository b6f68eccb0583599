import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { CoordinatorError } from '../errors/coordinator-error';

export interface Asset {
  readonly contentType: string;
  readonly body: Buffer;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The browser's Socket.IO client, served by the coordinator itself (no CDN). */
export const SOCKET_IO_CLIENT = 'socket.io.min.js';

/**
 * Where the page's files are: beside this module when a build copied them (dist/dashboard/public),
 * else in the sources (src/dashboard/public), which both `ts-jest` (running src/) and a plain
 * `tsc -b` build (running dist/, two levels below the package like src/) reach.
 */
export function publicDirCandidates(moduleDir: string): string[] {
  return [join(moduleDir, 'public'), join(moduleDir, '..', '..', 'src', 'dashboard', 'public')];
}

export function findPublicDir(moduleDir: string = __dirname): string {
  const found = publicDirCandidates(moduleDir).find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) {
    throw new CoordinatorError(`the dashboard's files are missing: looked for index.html in ${publicDirCandidates(moduleDir).join(' and ')}`, 'DASHBOARD_ASSETS_MISSING');
  }
  return found;
}

/** Path of socket.io-client's browser bundle (its package exports do not list the minified file). */
export function socketIoClientPath(): string {
  try {
    return join(dirname(require.resolve('socket.io-client/package.json')), 'dist', SOCKET_IO_CLIENT);
  } catch {
    return join('node_modules', 'socket.io-client', 'dist', SOCKET_IO_CLIENT);
  }
}

/**
 * The dashboard's static files, read once at start-up (a few tens of KiB): the HTML pages,
 * script, styles and the Socket.IO browser client. Only these names are served, so no
 * request path ever reaches the file system.
 */
export class DashboardAssets {
  private constructor(private readonly files: ReadonlyMap<string, Asset>) {}

  static load(dir: string = findPublicDir(), socketIoClient: string = socketIoClientPath()): DashboardAssets {
    const files = new Map<string, Asset>();
    for (const name of readdirSync(dir)) {
      const type = CONTENT_TYPES[extname(name)];
      if (type && statSync(join(dir, name)).isFile()) files.set(name, { contentType: type, body: readFileSync(join(dir, name)) });
    }
    // Without it the pages still load (and say the live view is unavailable); the API is unaffected.
    if (existsSync(socketIoClient)) files.set(SOCKET_IO_CLIENT, { contentType: CONTENT_TYPES['.js'], body: readFileSync(socketIoClient) });
    return new DashboardAssets(files);
  }

  get hasSocketIoClient(): boolean {
    return this.files.has(SOCKET_IO_CLIENT);
  }

  get(name: string): Asset | undefined {
    return this.files.get(name);
  }

  /** An HTML page with its `{{name}}` placeholders replaced (values are HTML-escaped). */
  page(name: string, values: Readonly<Record<string, string>> = {}): string {
    const asset = this.files.get(name);
    if (!asset) throw new CoordinatorError(`no dashboard page ${name}`, 'DASHBOARD_ASSETS_MISSING');
    return asset.body.toString('utf8').replace(/\{\{(\w+)\}\}/g, (_, key: string) => escapeHtml(values[key] ?? ''));
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
