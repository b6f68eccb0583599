import { ProtocolError } from './errors/protocol-error';
import { checkProtocolVersion, PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from './version';

describe('protocol version', () => {
  it('speaks v1 and accepts it', () => {
    expect(PROTOCOL_VERSION).toBe(1);
    expect(SUPPORTED_PROTOCOL_VERSIONS).toEqual([1]);
    expect(checkProtocolVersion(1)).toBe(1);
  });

  it.each([
    [0, 'MISSING_FIELD'],
    [undefined, 'MISSING_FIELD'],
    [2, 'UNSUPPORTED_VERSION'],
    [1.5, 'UNSUPPORTED_VERSION'],
    ['1', 'UNSUPPORTED_VERSION'],
  ])('refuses %p with %s', (version, code) => {
    expect(() => checkProtocolVersion(version)).toThrow(expect.objectContaining({ code }));
    expect(() => checkProtocolVersion(version)).toThrow(ProtocolError);
  });

  it('accepts a configured set during a transition', () => {
    expect(checkProtocolVersion(2, [1, 2])).toBe(2);
  });
});
