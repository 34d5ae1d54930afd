import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors.js';
import { detectAuthScheme, normalizeAteraBaseUrl } from './client.js';
import { parseRetryAfter } from './http.js';

describe('normalizeAteraBaseUrl', () => {
  it('defaults to Atera and accepts the forms users paste', () => {
    expect(normalizeAteraBaseUrl(null)).toBe('https://app.atera.com');
    expect(normalizeAteraBaseUrl('  ')).toBe('https://app.atera.com');
    expect(normalizeAteraBaseUrl('https://app.atera.com/')).toBe('https://app.atera.com');
    expect(normalizeAteraBaseUrl('https://app.atera.com/api/v3')).toBe('https://app.atera.com');
    expect(normalizeAteraBaseUrl('https://app.atera.com/API/v3/')).toBe('https://app.atera.com');
    expect(normalizeAteraBaseUrl('http://127.0.0.1:4010')).toBe('http://127.0.0.1:4010');
  });

  it('rejects what is not an http(s) URL with a message saying what to enter', () => {
    expect(() => normalizeAteraBaseUrl('app.atera.com')).toThrow(/not a URL; use https:\/\/app.atera.com/);
    expect(() => normalizeAteraBaseUrl('ftp://app.atera.com')).toThrow(AppError);
  });
});

describe('detectAuthScheme', () => {
  it('sends long tokens as Bearer and short keys as X-API-KEY, like PSAtera', () => {
    expect(detectAuthScheme('0123456789abcdef0123456789abcdef')).toBe('x-api-key');
    expect(detectAuthScheme('x'.repeat(100))).toBe('x-api-key');
    expect(detectAuthScheme('x'.repeat(101))).toBe('bearer');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
