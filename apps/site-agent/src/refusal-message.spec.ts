import { refusalMessage, refusalReason } from './refusal-message';

describe('refusalMessage', () => {
  it('says a revoked token was revoked, and to ask for a new one', () => {
    expect(refusalMessage('UNAUTHORIZED', 'site hospital-a has been revoked; the coordinator closes this connection')).toBe(
      "coordinator revoked this site's token: site hospital-a has been revoked; the coordinator closes this connection; ask the coordinator's admin for a new token",
    );
  });

  it('does not repeat advice the coordinator already gave', () => {
    const reason = "site hospital-a has been revoked; ask the coordinator's operator for a new token ('fedsynth coordinator add-site NAME --rotate')";
    expect(refusalMessage('UNAUTHORIZED', reason)).toBe(`coordinator revoked this site's token: ${reason}`);
  });

  it('names a replaced token, and other refusals with their code', () => {
    expect(refusalMessage('UNAUTHORIZED', 'site hospital-a is unknown or its token is wrong; check the site id and token the operator gave you')).toBe(
      "coordinator no longer accepts this site's token: site hospital-a is unknown or its token is wrong; check the site id and token the operator gave you; ask the coordinator's admin for a new token",
    );
    expect(refusalMessage('UNSUPPORTED_VERSION', 'peer speaks fedsynth protocol v2, this side speaks v1; upgrade the older side')).toBe(
      'coordinator refused this site (UNSUPPORTED_VERSION): peer speaks fedsynth protocol v2, this side speaks v1; upgrade the older side',
    );
  });
});

describe('refusalReason', () => {
  it('strips the code prefix of a handshake refusal, and leaves other messages alone', () => {
    expect(refusalReason('UNAUTHORIZED: site a has been revoked', 'UNAUTHORIZED')).toBe('site a has been revoked');
    expect(refusalReason('websocket error', 'UNKNOWN')).toBe('websocket error');
  });
});
