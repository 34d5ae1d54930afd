/**
 * One error type for the whole product. Every failure that reaches a user is an AppError with a code
 * from a closed set; the code alone decides the HTTP status and the CLI exit code, so routes and
 * commands never invent their own mapping.
 */
export const ERROR_CODES = {
  bad_request: { status: 400, exit: 2 },
  validation: { status: 400, exit: 2 },
  unauthorized: { status: 401, exit: 3 },
  forbidden: { status: 403, exit: 3 },
  not_found: { status: 404, exit: 4 },
  conflict: { status: 409, exit: 5 },
  payload_too_large: { status: 413, exit: 2 },
  rate_limited: { status: 429, exit: 6 },
  // Errors that come from Atera, classified (DESIGN rule 7).
  atera_auth: { status: 502, exit: 7 },
  atera_not_found: { status: 502, exit: 7 },
  atera_rate_limited: { status: 503, exit: 7 },
  atera_temporary: { status: 503, exit: 7 },
  atera_bad_data: { status: 502, exit: 7 },
  atera_unknown: { status: 502, exit: 7 },
  unavailable: { status: 503, exit: 8 },
  internal: { status: 500, exit: 1 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  toJSON(): { error: { code: ErrorCode; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const notFound = (entity: string, id: unknown): AppError =>
  new AppError('not_found', `${entity} ${String(id)} does not exist`);

export const badRequest = (message: string, path?: string): AppError =>
  new AppError('bad_request', message, path ? [{ path, message }] : []);

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
