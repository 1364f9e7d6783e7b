import { MAX_HEADER_LENGTH, MAX_SIGNATURES, parseSignatureHeader } from '@cs/signature';

const SIG = 'cd3d2e8f6d9ac575f456af8416abac87d55d7659e4405b40883086008d3c27f5';
const SIG2 = '722b956a1d097649b75245d64603ea9ca76685425461748843641a18051165ae';

describe('parseSignatureHeader', () => {
  it('parses t and every v1 in order', () => {
    expect(parseSignatureHeader(`t=1700000000,v1=${SIG},v1=${SIG2}`)).toEqual({
      ok: true,
      timestamp: 1700000000,
      signatures: [SIG, SIG2],
    });
  });

  it('accepts elements in any order', () => {
    expect(parseSignatureHeader(`v1=${SIG},t=1700000000`)).toMatchObject({ ok: true, timestamp: 1700000000 });
  });

  it('lowercases hex signatures', () => {
    expect(parseSignatureHeader(`t=1,v1=${SIG.toUpperCase()}`)).toMatchObject({ ok: true, signatures: [SIG] });
  });

  it('trims whitespace around elements, keys and values', () => {
    expect(parseSignatureHeader(` t = 1700000000 , v1 = ${SIG} `)).toEqual({
      ok: true,
      timestamp: 1700000000,
      signatures: [SIG],
    });
  });

  it('ignores unknown schemes, including ones whose values contain "="', () => {
    expect(parseSignatureHeader(`t=1,v0=abc,v1a=base64==,v1=${SIG}`)).toMatchObject({ ok: true, signatures: [SIG] });
  });

  it('treats keys case-sensitively (T= and V1= are unknown keys)', () => {
    expect(parseSignatureHeader(`T=1,v1=${SIG}`)).toMatchObject({ ok: false, reason: 'MISSING_TIMESTAMP' });
    expect(parseSignatureHeader(`t=1,V1=${SIG}`)).toMatchObject({ ok: false, reason: 'NO_SIGNATURE' });
  });

  it('accepts exactly MAX_SIGNATURES v1 values and exactly MAX_HEADER_LENGTH characters', () => {
    const many = `t=1,${Array(MAX_SIGNATURES).fill(`v1=${SIG}`).join(',')}`;
    expect(parseSignatureHeader(many)).toMatchObject({ ok: true });
    const base = `t=1,v1=${SIG},x=`;
    const padded = base + 'a'.repeat(MAX_HEADER_LENGTH - base.length);
    expect(padded).toHaveLength(MAX_HEADER_LENGTH);
    expect(parseSignatureHeader(padded)).toMatchObject({ ok: true });
    expect(parseSignatureHeader(padded + 'a')).toMatchObject({ ok: false, reason: 'TOO_LONG' });
  });

  it.each([
    ['undefined', undefined, 'EMPTY'],
    ['a non-string (string[] from a duplicated header)', ['t=1', `v1=${SIG}`], 'NOT_A_STRING'],
    ['empty', '', 'EMPTY'],
    ['a trailing comma', `t=1,v1=${SIG},`, 'EMPTY_ELEMENT'],
    ['a double comma', `t=1,,v1=${SIG}`, 'EMPTY_ELEMENT'],
    ['an element without =', `t=1,v1=${SIG},garbage`, 'MISSING_EQUALS'],
    ['a duplicate t', `t=1,t=2,v1=${SIG}`, 'DUPLICATE_TIMESTAMP'],
    ['a negative t', `t=-1,v1=${SIG}`, 'INVALID_TIMESTAMP'],
    ['a signed t', `t=+1,v1=${SIG}`, 'INVALID_TIMESTAMP'],
    ['a decimal t', `t=1.5,v1=${SIG}`, 'INVALID_TIMESTAMP'],
    ['an exponent t', `t=1e9,v1=${SIG}`, 'INVALID_TIMESTAMP'],
    ['a hex t', `t=0x10,v1=${SIG}`, 'INVALID_TIMESTAMP'],
    ['a t with leading zeros', `t=01700000000,v1=${SIG}`, 'INVALID_TIMESTAMP'],
    ['a t in milliseconds (13 digits)', `t=1700000000000,v1=${SIG}`, 'INVALID_TIMESTAMP'],
    ['a t with inner space', `t=17 00,v1=${SIG}`, 'INVALID_TIMESTAMP'],
    ['an empty v1', 't=1,v1=', 'INVALID_SIGNATURE'],
    ['a v1 too long', `t=1,v1=${SIG}00`, 'INVALID_SIGNATURE'],
    ['a base64 v1', 't=1,v1=zT0uj22axXX0Vq+EFqush9VddlnkQFtAiDCGAI08J/U=', 'INVALID_SIGNATURE'],
    ['one bad v1 among good ones', `t=1,v1=${SIG},v1=nothex`, 'INVALID_SIGNATURE'],
    [
      'too many v1',
      `t=1,${Array(MAX_SIGNATURES + 1)
        .fill(`v1=${SIG}`)
        .join(',')}`,
      'TOO_MANY_SIGNATURES',
    ],
  ])('rejects %s', (_name, header, reason) => {
    expect(parseSignatureHeader(header as string)).toEqual({ ok: false, code: 'MALFORMED_HEADER', reason });
  });
});
