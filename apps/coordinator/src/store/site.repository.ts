import { randomUUID } from 'node:crypto';
import { CoordinatorError } from '../errors/coordinator-error';
import type { Database } from './database';
import { isConstraintError } from './json-column';
import { generateSiteToken, hashSiteToken, verifySiteToken } from './site-token';

/** A registered hospital site. The token hash never leaves the repository. */
export interface SiteRecord {
  id: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  lastSeenAt: number | null;
  protocolVersion: number | null;
  /** Records the site last reported in its DataSummary. */
  recordCount: number | null;
}

/** Why authentication failed; tell the peer only `UNAUTHORIZED`, keep this for the audit log. */
export type SiteAuthFailure = 'unknown-site' | 'revoked' | 'bad-token';

export type SiteAuthResult = { ok: true; site: SiteRecord } | { ok: false; reason: SiteAuthFailure };

interface SiteRow {
  id: string;
  name: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
  protocol_version: number | null;
  record_count: number | null;
}

/** Site ids travel in the handshake and in file names: keep them plain. */
const SITE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function toRecord(row: SiteRow): SiteRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastSeenAt: row.last_seen_at,
    protocolVersion: row.protocol_version,
    recordCount: row.record_count,
  };
}

/** The site registry: registration with a one-time token, authentication, revocation. */
export class SiteRepository {
  private readonly now: () => number;
  /** Verified against when a site id is unknown, so that case takes as long as a bad token. */
  private readonly decoyHash = hashSiteToken(generateSiteToken());
  private readonly statements;

  constructor(
    private readonly db: Database,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.statements = {
      insert: db.prepare(
        'INSERT INTO sites (id, name, token_hash, created_at) VALUES (@id, @name, @tokenHash, @createdAt)',
      ),
      byId: db.prepare<[string], SiteRow>('SELECT * FROM sites WHERE id = ?'),
      byName: db.prepare<[string], SiteRow>('SELECT * FROM sites WHERE name = ?'),
      all: db.prepare<[], SiteRow>('SELECT * FROM sites ORDER BY name'),
      active: db.prepare<[], SiteRow>('SELECT * FROM sites WHERE revoked_at IS NULL ORDER BY name'),
      setToken: db.prepare('UPDATE sites SET token_hash = ? WHERE id = ? AND revoked_at IS NULL'),
      reissue: db.prepare('UPDATE sites SET token_hash = ?, revoked_at = NULL WHERE id = ?'),
      revoke: db.prepare('UPDATE sites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      seen: db.prepare(
        'UPDATE sites SET last_seen_at = @at, protocol_version = COALESCE(@protocolVersion, protocol_version), ' +
          'record_count = COALESCE(@recordCount, record_count) WHERE id = @id',
      ),
    };
  }

  /**
   * Registers a site and returns its token: the only time the token exists in clear.
   * Refuses a taken name or id.
   */
  register(input: { name: string; id?: string }): { site: SiteRecord; token: string } {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200) {
      throw new CoordinatorError(`site name must be 1–200 characters, got ${JSON.stringify(input.name)}`, 'INVALID_SITE');
    }
    const id = input.id ?? randomUUID();
    if (!SITE_ID.test(id)) {
      throw new CoordinatorError(
        `site id ${JSON.stringify(id)} must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
        'INVALID_SITE',
      );
    }
    const token = generateSiteToken();
    try {
      this.statements.insert.run({ id, name, tokenHash: hashSiteToken(token), createdAt: this.now() });
    } catch (error) {
      if (isConstraintError(error)) {
        const taken = this.findByName(name) ? `name ${JSON.stringify(name)}` : `id ${JSON.stringify(id)}`;
        throw new CoordinatorError(`a site with ${taken} is already registered`, 'SITE_EXISTS', { cause: error });
      }
      throw error;
    }
    return { site: this.get(id), token };
  }

  findById(id: string): SiteRecord | undefined {
    const row = this.statements.byId.get(id);
    return row ? toRecord(row) : undefined;
  }

  findByName(name: string): SiteRecord | undefined {
    const row = this.statements.byName.get(name);
    return row ? toRecord(row) : undefined;
  }

  get(id: string): SiteRecord {
    const site = this.findById(id);
    if (!site) throw new CoordinatorError(`no site with id ${JSON.stringify(id)}`, 'SITE_NOT_FOUND');
    return site;
  }

  list(options: { includeRevoked?: boolean } = {}): SiteRecord[] {
    return (options.includeRevoked ? this.statements.all : this.statements.active).all().map(toRecord);
  }

  /** Checks a site's credentials in constant time (also for unknown ids). */
  authenticate(id: string, token: string): SiteAuthResult {
    const row = typeof id === 'string' ? this.statements.byId.get(id) : undefined;
    const matches = verifySiteToken(token, row?.token_hash ?? this.decoyHash);
    if (!row) return { ok: false, reason: 'unknown-site' };
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
    if (!matches) return { ok: false, reason: 'bad-token' };
    return { ok: true, site: toRecord(row) };
  }

  /**
   * The site an operator names: by id first, else by name. Refuses a reference that is one
   * site's id and another site's name rather than guess which one is meant.
   */
  resolve(ref: string): SiteRecord {
    const byId = this.findById(ref);
    const byName = this.findByName(ref);
    if (byId && byName && byId.id !== byName.id) {
      throw new CoordinatorError(
        `${JSON.stringify(ref)} is the id of site ${JSON.stringify(byId.name)} and the name of site ${JSON.stringify(byName.id)}; ` +
          `name the site by its id instead (${JSON.stringify(byName.id)} or ${JSON.stringify(byId.id)})`,
        'SITE_AMBIGUOUS',
      );
    }
    const site = byId ?? byName;
    if (site) return site;
    const known = this.list({ includeRevoked: true }).map((s) => s.id).sort();
    const hint = known.length === 0 ? 'no site is registered yet' : `registered site ids: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}`;
    throw new CoordinatorError(`no site has the id or name ${JSON.stringify(ref)} (${hint})`, 'SITE_NOT_FOUND');
  }

  /** Replaces an active site's token (the old one stops working at once) and returns the new one. */
  rotateToken(id: string): string {
    const token = generateSiteToken();
    if (this.statements.setToken.run(hashSiteToken(token), id).changes === 0) {
      const site = this.get(id);
      throw new CoordinatorError(`site ${JSON.stringify(site.name)} is revoked; re-provision it with reissueToken`, 'SITE_REVOKED');
    }
    return token;
  }

  /**
   * Re-provisions a site, revoked or not: a new token replaces the old one (which stays
   * refused) and a revocation is lifted. The site keeps its id, so its past contributions
   * stay attributed to it. Returns the new token: the only time it exists in clear.
   */
  reissueToken(id: string): { site: SiteRecord; token: string } {
    const token = generateSiteToken();
    if (this.statements.reissue.run(hashSiteToken(token), id).changes === 0) this.get(id);
    return { site: this.get(id), token };
  }

  /** Revokes a site: its token is refused from now on, until `reissueToken`. Idempotent. */
  revoke(id: string): SiteRecord {
    this.statements.revoke.run(this.now(), id);
    return this.get(id);
  }

  /** Notes a connection (protocol version) or a DataSummary (record count). */
  recordSeen(id: string, details: { protocolVersion?: number; recordCount?: number } = {}): void {
    const changes = this.statements.seen.run({
      id,
      at: this.now(),
      protocolVersion: details.protocolVersion ?? null,
      recordCount: details.recordCount ?? null,
    }).changes;
    if (changes === 0) throw new CoordinatorError(`no site with id ${JSON.stringify(id)}`, 'SITE_NOT_FOUND');
  }
}
