import { Injectable } from '@nestjs/common';
import type { DataSummary, Envelope, SiteState } from '@fedsynth/protocol';

/** What a site last said about its current task in a Heartbeat (in memory, for the dashboard). */
export interface SiteProgress {
  readonly runId: string;
  readonly round: number | null;
  readonly state: SiteState;
  /** In [0, 1]. */
  readonly progress: number;
  /** When the coordinator received it (Unix ms). */
  readonly at: number;
}

/** One connected, authenticated site. */
export interface SiteSession {
  readonly siteId: string;
  readonly socketId: string;
  /** What the site last said about its data; undefined until its DataSummary arrives. */
  summary?: DataSummary;
  /** Optional protocol features the site announced in Hello (e.g. secagg-v1); undefined until then. */
  capabilities?: readonly string[];
  /** The site's last progress heartbeat; undefined until one arrives. */
  progress?: SiteProgress;
  /** Sends a request to the site and resolves with its answer (rejects on timeout). */
  request(envelope: Envelope): Promise<Envelope>;
}

export interface SiteSessionListener {
  /** The site sent its DataSummary: it can take part in runs. */
  siteReady(siteId: string): void;
  siteLeft(siteId: string): void;
  /** The site reported progress on its task (Heartbeat). */
  siteProgress?(siteId: string): void;
}

/**
 * The sites connected right now. The gateway opens and closes sessions; the round service
 * listens for sites becoming ready (DataSummary received) and leaving. In memory only: a
 * restarted coordinator learns its sites again as they reconnect.
 */
@Injectable()
export class SiteSessions {
  private readonly sessions = new Map<string, SiteSession>();
  private readonly listeners: SiteSessionListener[] = [];

  listen(listener: SiteSessionListener): void {
    this.listeners.push(listener);
  }

  /** A site reconnecting before its old socket was noticed closed replaces the old session. */
  open(session: SiteSession): void {
    const previous = this.sessions.get(session.siteId);
    this.sessions.set(session.siteId, session);
    if (previous?.summary) this.listeners.forEach((l) => l.siteLeft(session.siteId));
  }

  close(siteId: string, socketId: string): void {
    const session = this.sessions.get(siteId);
    if (!session || session.socketId !== socketId) return;
    this.sessions.delete(siteId);
    if (session.summary) this.listeners.forEach((l) => l.siteLeft(siteId));
  }

  setSummary(siteId: string, socketId: string, summary: DataSummary): void {
    const session = this.sessions.get(siteId);
    if (!session || session.socketId !== socketId) return;
    const first = session.summary === undefined;
    session.summary = summary;
    if (first) this.listeners.forEach((l) => l.siteReady(siteId));
  }

  setCapabilities(siteId: string, socketId: string, capabilities: readonly string[]): void {
    const session = this.sessions.get(siteId);
    if (!session || session.socketId !== socketId) return;
    session.capabilities = [...capabilities];
  }

  setProgress(siteId: string, socketId: string, progress: SiteProgress): void {
    const session = this.sessions.get(siteId);
    if (!session || session.socketId !== socketId) return;
    session.progress = progress;
    this.listeners.forEach((l) => l.siteProgress?.(siteId));
  }

  get(siteId: string): SiteSession | undefined {
    return this.sessions.get(siteId);
  }

  isConnected(siteId: string): boolean {
    return this.sessions.has(siteId);
  }

  /** Sites that sent their DataSummary, sorted. */
  readySiteIds(): string[] {
    return [...this.sessions.values()].filter((s) => s.summary).map((s) => s.siteId).sort();
  }
}
