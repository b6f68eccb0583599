import { createHash, randomBytes } from 'node:crypto';
import { parseCookies } from './cookies';

/** Name of the dashboard's session cookie. */
export const SESSION_COOKIE = 'fedsynth_session';
/** Header a dashboard page sends with every state-changing request (its session's CSRF token). */
export const CSRF_HEADER = 'x-fedsynth-csrf';
/** A session lasts 12 hours from login; then the admin logs in again. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface AdminSession {
  /** Sent to the page inside its HTML and back in CSRF_HEADER: a cross-site form cannot know it. */
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

const key = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

/**
 * The dashboard's login sessions, in memory: a session id is 256 random bits in an HttpOnly
 * cookie, and only its sha256 is held here (a heap dump does not hand out live sessions).
 * A restart logs everyone out, which is acceptable for an admin console and keeps the
 * admin token the only long-lived secret. Logout deletes the session at once.
 */
export class AdminSessions {
  private readonly sessions = new Map<string, AdminSession>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.ttlMs = options.ttlMs ?? SESSION_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** A new session; `id` goes into the cookie and is not kept. */
  create(): { id: string; session: AdminSession } {
    this.prune();
    const id = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const session: AdminSession = { csrfToken: randomBytes(32).toString('base64url'), createdAt, expiresAt: createdAt + this.ttlMs };
    this.sessions.set(key(id), session);
    return { id, session };
  }

  /** The live session with this id, if any (an expired one is forgotten). */
  find(id: string | undefined): AdminSession | undefined {
    if (!id) return undefined;
    const k = key(id);
    const session = this.sessions.get(k);
    if (session && session.expiresAt <= this.now()) {
      this.sessions.delete(k);
      return undefined;
    }
    return session;
  }

  /** The session named by a request's Cookie header, if live. */
  fromCookieHeader(header: string | string[] | undefined): AdminSession | undefined {
    return this.find(this.idFromCookieHeader(header));
  }

  idFromCookieHeader(header: string | string[] | undefined): string | undefined {
    return parseCookies(Array.isArray(header) ? header.join('; ') : header).get(SESSION_COOKIE);
  }

  /** Ends a session (logout). Unknown ids are ignored. */
  destroy(id: string | undefined): void {
    if (id) this.sessions.delete(key(id));
  }

  get size(): number {
    return this.sessions.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [k, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(k);
  }
}
