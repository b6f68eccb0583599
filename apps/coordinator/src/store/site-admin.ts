import { existsSync } from 'node:fs';
import { CoordinatorError } from '../errors/coordinator-error';
import { CoordinatorStore } from './coordinator-store';
import type { SiteRecord } from './site.repository';

/** Where an admin action came from, kept in the audit entry. */
export type AdminChannel = 'cli' | 'api';

export interface SiteRevocation {
  site: SiteRecord;
  /** The site was already revoked: nothing changed (the attempt is still audited). */
  alreadyRevoked: boolean;
}

export interface SiteReissue {
  site: SiteRecord;
  /** The new token, shown once; only its hash is stored. */
  token: string;
  /** The site was revoked before this re-provisioning lifted the revocation. */
  wasRevoked: boolean;
}

/**
 * Revokes the site named by `ref` (id or name) and audits it, in one transaction. The
 * coordinator checks the store at every handshake, so a revocation written here (by the
 * CLI on the same data folder, or the REST API) refuses the site's next connection.
 */
export function revokeSite(store: CoordinatorStore, ref: string, via: AdminChannel): SiteRevocation {
  return store.transaction(() => {
    const before = store.sites.resolve(ref);
    const site = store.sites.revoke(before.id);
    const alreadyRevoked = before.revokedAt !== null;
    store.audit.append({ actor: 'admin', action: 'site.revoked', subject: site.id, details: { via, alreadyRevoked } });
    return { site, alreadyRevoked };
  });
}

/**
 * Re-provisions the site named by `ref`: a new token (the old one stays refused), any
 * revocation lifted, audited in the same transaction.
 */
export function reissueSiteToken(store: CoordinatorStore, ref: string, via: AdminChannel): SiteReissue {
  return store.transaction(() => {
    const before = store.sites.resolve(ref);
    const { site, token } = store.sites.reissueToken(before.id);
    const wasRevoked = before.revokedAt !== null;
    store.audit.append({ actor: 'admin', action: 'site.token-reissued', subject: site.id, details: { via, wasRevoked } });
    return { site, token, wasRevoked };
  });
}

/**
 * Opens a coordinator database that must already exist: an admin command pointed at the
 * wrong data folder should say so, not create an empty database there.
 */
export function openExistingStore(databasePath: string): CoordinatorStore {
  if (!existsSync(databasePath)) {
    throw new CoordinatorError(
      `no coordinator database at ${databasePath}; point --data-dir (or FEDSYNTH_DATA_DIR) at the coordinator's data folder`,
      'STORE_NOT_FOUND',
    );
  }
  return CoordinatorStore.open({ path: databasePath });
}
