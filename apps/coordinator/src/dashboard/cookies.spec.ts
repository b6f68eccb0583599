import { parseCookies, sessionCookie } from './cookies';

describe('parseCookies', () => {
  it('reads name=value pairs, decoding values and trimming spaces', () => {
    expect([...parseCookies('a=1; fedsynth_session=abc%2Bd ;  b="quoted"')]).toEqual([
      ['a', '1'],
      ['fedsynth_session', 'abc+d'],
      ['b', 'quoted'],
    ]);
  });

  it('keeps the first of a repeated name and skips malformed parts', () => {
    const cookies = parseCookies('x=first; x=second; novalue; =nameless; bad=%E0%A4%A');
    expect(cookies.get('x')).toBe('first');
    expect(cookies.has('novalue')).toBe(false);
    expect(cookies.has('')).toBe(false);
    expect(cookies.has('bad')).toBe(false);
  });

  it('is empty without a header', () => {
    expect(parseCookies(undefined).size).toBe(0);
  });
});

describe('sessionCookie', () => {
  it('is HttpOnly, SameSite=Strict, site-wide, with a lifetime', () => {
    expect(sessionCookie('fedsynth_session', 'id+/=', { maxAgeSeconds: 43_200, secure: false })).toBe(
      'fedsynth_session=id%2B%2F%3D; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200',
    );
  });

  it('adds Secure over HTTPS, and Max-Age=0 deletes', () => {
    expect(sessionCookie('s', '', { maxAgeSeconds: 0, secure: true })).toBe('s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure');
  });
});
