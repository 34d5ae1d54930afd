import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.js';
import { runErrorCode } from '../../src/integrations/atera/operations.js';

/** A failed run records one of Keel's error codes, never a driver's raw code (issue 9: "fails with a classified error"). */
describe('the error code a failed run records', () => {
  it('keeps an AppError code, maps a lost database to unavailable and anything else to internal', () => {
    expect(runErrorCode(new AppError('atera_rate_limited', 'slow down'))).toBe('atera_rate_limited');
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(runErrorCode(pgError('57P01', 'terminating connection due to administrator command'))).toBe('unavailable');
    expect(runErrorCode(pgError('55000', 'database "keel" is not currently accepting connections'))).toBe(
      'unavailable',
    );
    expect(runErrorCode(pgError('08006', 'connection failure'))).toBe('unavailable');
    expect(runErrorCode(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBe('unavailable');
    expect(runErrorCode(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(runErrorCode(pgError('23505', 'duplicate key value violates unique constraint'))).toBe('internal');
    expect(runErrorCode(new TypeError('x is undefined'))).toBe('internal');
    expect(runErrorCode('a string')).toBe('internal');
    expect(runErrorCode(null)).toBe('internal');
  });
});
