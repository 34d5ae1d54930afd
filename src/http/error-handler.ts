import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorDetail } from '../core/errors.js';
import { translateDbError } from '../db/errors.js';

/** SQLSTATEs meaning the input holds characters PostgreSQL cannot store: NUL in text (22021) or in jsonb (22P05). */
const INPUT_DATA_EXCEPTIONS = new Set(['22021', '22P05']);

/** Zod issue paths ("/0/name") as Halo-style dotted paths ("body[0].name"). */
function detailsFromValidation(err: FastifyError): ErrorDetail[] {
  const context = (err as { validationContext?: string }).validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    const instancePath = (v as { instancePath?: string }).instancePath ?? '';
    const parts = instancePath.split('/').filter(Boolean);
    const path = parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : `${acc}.${p}`), context);
    return { path, message: v.message ?? 'is not valid' };
  });
}

/**
 * The single mapping from failures to HTTP responses: `{error: {code, message, details}}`.
 * Bad input is always a 4xx naming what is wrong; only genuine bugs become 500, and those never
 * echo internals (the log has them, keyed by the request id).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let err: unknown = error;
    if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
      const details = detailsFromValidation(error);
      err = new AppError(
        'validation',
        `Invalid request: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`.slice(0, 2000),
        details.slice(0, 50),
      );
    } else if (!(error instanceof AppError)) {
      err = translateDbError(error);
      // PostgreSQL refusing characters it cannot store (NUL in text or jsonb) is bad input, not a bug.
      const sqlstate = (error as { code?: unknown }).code;
      if (err === error && typeof sqlstate === 'string' && INPUT_DATA_EXCEPTIONS.has(sqlstate)) {
        err = new AppError('validation', `A value cannot be stored: ${error.message}`.slice(0, 500), []);
      }
    }
    if (!(err instanceof AppError)) {
      const status = error.statusCode ?? 500;
      if (status === 413) err = new AppError('payload_too_large', 'The request body is too large');
      else if (status === 415) err = new AppError('bad_request', `Unsupported content type: send application/json`);
      else if (status >= 400 && status < 500) err = new AppError('bad_request', error.message || 'Bad request');
    }
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.warn({ code: err.code, msg: err.message }, 'request failed');
      return reply.status(err.status).send(err.toJSON());
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({
      error: { code: 'internal', message: `Internal error (request ${request.id}); see the server log`, details: [] },
    });
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`).toJSON());
  });
}
