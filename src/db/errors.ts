import { AppError } from '../core/errors.js';

/** Columns named by our foreign-key constraints (PostgreSQL's default names: <table>_<column>_fkey). */
function fkColumn(constraint: string | undefined, detail: string | undefined): string {
  const fromDetail = detail?.match(/Key \(([^)]+)\)=/)?.[1];
  if (fromDetail) return fromDetail;
  return constraint?.replace(/^[a-z_]+?_(.+)_fkey$/, '$1') ?? 'id';
}

/**
 * Turns a database error caused by bad input into the AppError a user should see (409 for duplicates,
 * 400 naming the field for references to missing rows or out-of-range values). Anything else is
 * returned unchanged and surfaces as an internal error.
 */
export function translateDbError(e: unknown): unknown {
  const err = e as { code?: string; constraint?: string; detail?: string; message?: string; column?: string };
  if (!err || typeof err !== 'object' || typeof err.code !== 'string') return e;
  switch (err.code) {
    case '23505': {
      const key = err.detail?.match(/Key \((.+?)\)=/)?.[1] ?? err.constraint ?? 'value';
      return new AppError('conflict', `A record with the same ${key} already exists`, [
        { path: key, message: 'already exists' },
      ]);
    }
    case '23503': {
      const col = fkColumn(err.constraint, err.detail);
      if (err.detail?.includes('is still referenced')) {
        return new AppError(
          'conflict',
          `This record is still used by other records (${err.detail.replace(/^Key /, '')}); deactivate it instead`,
          [],
        );
      }
      return new AppError('validation', `${col} refers to a record that does not exist`, [
        { path: col, message: 'does not exist' },
      ]);
    }
    case '23502':
      return new AppError('validation', `${err.column ?? 'a required field'} is required`, [
        { path: err.column ?? '', message: 'required' },
      ]);
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22001':
    case '54000':
      return new AppError('validation', `A value is not valid: ${err.message ?? err.code}`, []);
    case '23514':
      return new AppError('validation', `A value is not allowed (${err.constraint ?? 'check'})`, []);
    default:
      return e;
  }
}
