import { AppError, type ErrorDetail } from '../../../core/errors.js';

/**
 * Turns what went wrong talking to Atera into one of the six Atera error codes (DESIGN rule 7), each with a
 * message that tells the user what to do next. Callers decide retry/give-up from the code alone.
 *
 * Messages are built only from our own words, the HTTP status, the request's method and path and, for 4xx
 * ProblemDetails, Atera's `title`/`detail`; `scrubSecret` runs over all of it so the API key cannot leak even if
 * Atera were ever to echo it back.
 */

export interface RequestContext {
  method: string;
  /** Path under the base URL, e.g. `/api/v3/agents`; never contains the key (it travels in a header). */
  path: string;
  /** Human label of what was being read or written, e.g. "agents page 3" or "alert 123". */
  what: string;
  /** Attempts made so far; absent when the failure is about content rather than delivery. */
  attempts?: number;
}

const where = (ctx: RequestContext): ErrorDetail[] => [
  {
    path: `${ctx.method} ${ctx.path}`,
    message: ctx.attempts === undefined ? ctx.what : `${ctx.what} (after ${ctx.attempts} attempt(s))`,
  },
];

export function authError(status: 401 | 403, ctx: RequestContext): AppError {
  const message =
    status === 401
      ? 'Atera rejected the API key (401): generate a new key in Atera under Admin > API and save it in ' +
        "Keel's Atera settings (keys of accounts moved to bearer tokens stop working 60 days after the switch)."
      : `Atera refused access to ${ctx.what} (403): the API key is valid but not allowed to do this; check the ` +
        "key's permissions in Atera under Admin > API (API access also needs a paid Atera plan, not a trial).";
  return new AppError('atera_auth', message, where(ctx));
}

export function missingKeyError(): AppError {
  return new AppError(
    'atera_auth',
    "No Atera API key is configured: create one in Atera under Admin > API and enter it in Keel's Atera settings.",
  );
}

export function notFoundError(ctx: RequestContext, problem?: string): AppError {
  return new AppError(
    'atera_not_found',
    `Atera has no ${ctx.what} (404)${problem ? `: ${problem}` : ''}; it may have been deleted in Atera.`,
    where(ctx),
  );
}

export function rateLimitedError(ctx: RequestContext, waitedMs: number, retryAfterMs?: number): AppError {
  const asked =
    retryAfterMs !== undefined ? ` Atera asked to wait ${Math.ceil(retryAfterMs / 1000)} s before the next call.` : '';
  return new AppError(
    'atera_rate_limited',
    `Atera kept rate-limiting Keel (429) on ${ctx.what}, after ${ctx.attempts ?? 1} attempt(s) and ` +
      `${Math.round(waitedMs / 1000)} s of waiting.${asked} Another tool may be using the same API key's budget; ` +
      "lower Keel's Atera request budget in the settings or try again in a few minutes.",
    where(ctx),
  );
}

export type TemporaryCause =
  | { kind: 'status'; status: number }
  | { kind: 'timeout'; timeoutMs: number }
  | {
      kind: 'connection';
      code: string;
    };

export function temporaryError(ctx: RequestContext, cause: TemporaryCause, retried: boolean): AppError {
  const what =
    cause.kind === 'status'
      ? `Atera answered ${cause.status} (server error)`
      : cause.kind === 'timeout'
        ? `Atera did not answer within ${Math.round(cause.timeoutMs / 100) / 10} s`
        : `The connection to Atera failed (${cause.code})`;
  const advice =
    cause.kind === 'connection'
      ? 'Check the Atera application URL in the settings and that this server can reach it'
      : 'Atera may be slow or down (see status.atera.com)';
  const tail = retried
    ? `after ${ctx.attempts ?? 1} attempt(s). ${advice}; Keel will try again on its next run.`
    : 'and the request was not retried because repeating it could apply it twice; check in Atera whether it took effect.';
  return new AppError('atera_temporary', `${what} for ${ctx.what} ${tail}`, where(ctx));
}

export function badDataError(ctx: RequestContext, reason: string): AppError {
  return new AppError(
    'atera_bad_data',
    `Atera sent data Keel cannot read for ${ctx.what}: ${reason}. This is usually a proxy or an Atera outage ` +
      'returning an error page; if it persists, report it with the request shown in the details.',
    where(ctx),
  );
}

export function unknownError(ctx: RequestContext, status: number, problem?: string): AppError {
  return new AppError(
    'atera_unknown',
    `Atera answered ${status} to ${ctx.method} ${ctx.path} (${ctx.what})${problem ? `: ${problem}` : ''}. ` +
      'Check the Atera application URL in the settings; if it is right, report this response.',
    where(ctx),
  );
}

/** Reads `title`/`detail` from an RFC 7807 ProblemDetails body, if that is what Atera sent. */
export function problemSummary(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const { title, detail } = body as { title?: unknown; detail?: unknown };
  const parts = [title, detail].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return parts.length > 0 ? parts.join(' - ').slice(0, 300) : undefined;
}

/** Replaces every occurrence of the secret in a string; a no-op for short or empty secrets. */
export function scrubSecret(text: string, secret: string): string {
  if (secret.length < 4 || !text.includes(secret)) return text;
  return text.split(secret).join('[redacted]');
}

/** Applies scrubSecret to an AppError's message and details (defence in depth; see file comment). */
export function scrubError(err: AppError, secret: string): AppError {
  const text = JSON.stringify(err.toJSON());
  if (secret.length < 4 || !text.includes(secret)) return err;
  const details = err.details.map((d) => ({
    path: scrubSecret(d.path, secret),
    message: scrubSecret(d.message, secret),
  }));
  return new AppError(err.code, scrubSecret(err.message, secret), details);
}
