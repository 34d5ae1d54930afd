import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonTextOf } from './decode.js';

const parsesLikeUtf8 = (bytes: Buffer) => {
  const reference = (() => {
    try {
      return { ok: true, value: JSON.parse(new TextDecoder().decode(bytes)) as unknown };
    } catch {
      return { ok: false };
    }
  })();
  const fast = (() => {
    try {
      return { ok: true, value: JSON.parse(jsonTextOf(bytes)) as unknown };
    } catch {
      return { ok: false };
    }
  })();
  expect(fast).toEqual(reference);
};

describe('jsonTextOf: JSON text for JSON.parse without the slow UTF-8 decode', () => {
  it('ASCII bodies come back unchanged', () => {
    const body = '{"items":[{"CustomerName":"Acme \\u00e9"}],"page":1}';
    expect(jsonTextOf(Buffer.from(body))).toBe(body);
  });

  it('any JSON document parses to the same value as with UTF-8 decoding (accents, CJK, emoji, long pages)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'grapheme', maxLength: 400 }), (value, text) => {
        const doc = { value, text, items: [text, { nested: text }] };
        const json = JSON.stringify(doc);
        expect(JSON.parse(jsonTextOf(Buffer.from(json, 'utf8')))).toEqual(JSON.parse(json));
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('a non-ASCII run across the 256-byte block boundary is decoded whole', () => {
    for (let pad = 250; pad < 262; pad++) {
      const doc = { a: 'x'.repeat(pad), b: 'Café Ñandú 🚀 Łódź 株式会社' };
      expect(JSON.parse(jsonTextOf(Buffer.from(JSON.stringify(doc))))).toEqual(doc);
    }
  });

  it('malformed UTF-8 becomes U+FFFD exactly as TextDecoder does', () => {
    const cases = [
      [0x22, 0xc3, 0x22], // truncated two-byte sequence
      [0x22, 0xff, 0xfe, 0x61, 0x22], // bytes never valid in UTF-8
      [0x22, 0xe2, 0x82, 0x22], // truncated three-byte sequence
      [0x22, 0xf0, 0x9f, 0x9a, 0x80, 0x80, 0x22], // valid emoji then a stray continuation byte
      [0x22, 0xed, 0xa0, 0x80, 0x22], // an encoded lone surrogate
    ];
    for (const c of cases) parsesLikeUtf8(Buffer.from(c));
  });

  it('what was not valid JSON stays invalid (a backslash before a non-ASCII character, bytes outside strings)', () => {
    parsesLikeUtf8(Buffer.from('{"a":"\\é"}'));
    parsesLikeUtf8(Buffer.from('{"a":"\\\\é"}'));
    parsesLikeUtf8(Buffer.from('{"a": é}'));
    parsesLikeUtf8(Buffer.from('<html>Fehler: Dienst nicht verfügbar</html>'));
    expect(() => JSON.parse(jsonTextOf(Buffer.from('{"a":"\\é"}')))).toThrow();
  });
});
