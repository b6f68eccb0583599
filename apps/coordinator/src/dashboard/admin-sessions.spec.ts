import { AdminSessions, SESSION_COOKIE } from './admin-sessions';

describe('AdminSessions', () => {
  function clock() {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  }

  it('finds a session by the id it handed out, with a CSRF token of its own', () => {
    const sessions = new AdminSessions();
    const { id, session } = sessions.create();
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.csrfToken).not.toBe(id);
    expect(sessions.find(id)).toBe(session);
    expect(sessions.fromCookieHeader(`other=1; ${SESSION_COOKIE}=${id}`)).toBe(session);
    expect(sessions.find('not-a-session')).toBeUndefined();
    expect(sessions.find(undefined)).toBeUndefined();
  });

  it('holds only a hash of each id', () => {
    const sessions = new AdminSessions();
    const { id } = sessions.create();
    const held = [...(sessions as unknown as { sessions: Map<string, unknown> }).sessions.keys()];
    expect(held).toHaveLength(1);
    expect(held[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(held[0]).not.toContain(id);
  });

  it('expires a session after its lifetime and forgets expired ones', () => {
    const time = clock();
    const sessions = new AdminSessions({ ttlMs: 1000, now: time.now });
    const first = sessions.create().id;
    time.advance(999);
    expect(sessions.find(first)).toBeDefined();
    time.advance(1);
    expect(sessions.find(first)).toBeUndefined();
    const second = sessions.create().id;
    time.advance(2000);
    sessions.create();
    expect(sessions.find(second)).toBeUndefined();
    expect(sessions.size).toBe(1);
  });

  it('ends a session at logout', () => {
    const sessions = new AdminSessions();
    const a = sessions.create().id;
    const b = sessions.create().id;
    sessions.destroy(a);
    sessions.destroy(undefined);
    expect(sessions.find(a)).toBeUndefined();
    expect(sessions.find(b)).toBeDefined();
  });
});
