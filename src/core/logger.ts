import { type Logger, pino } from 'pino';

/**
 * Paths that may carry secrets anywhere in a log object. pino replaces them before the line is written,
 * so a secret never reaches stdout even if a caller logs a whole settings object or request.
 */
export const REDACT_PATHS = [
  'apiKey',
  'api_key',
  'atera_apikey',
  '*.apiKey',
  '*.api_key',
  '*.atera_apikey',
  'password',
  '*.password',
  'client_secret',
  '*.client_secret',
  'access_token',
  '*.access_token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers["x-api-key"]',
];

export type { Logger };

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'keel' } },
    options.destination as pino.DestinationStream | undefined,
  );
}

/** A logger for tests and library callers that want silence. */
export const silentLogger: Logger = pino({ level: 'silent' });
