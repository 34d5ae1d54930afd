import { AppError } from '../core/errors.js';

/**
 * Runs a command body and turns failures into the exit codes of the error table (src/core/errors.ts),
 * printing a one-line message instead of a stack trace for errors a user can act on.
 */
export async function runCommand(fn: () => Promise<number | undefined>): Promise<never> {
  try {
    const code = await fn();
    process.exit(typeof code === 'number' ? code : 0);
  } catch (e) {
    if (e instanceof AppError) {
      process.stderr.write(`error (${e.code}): ${e.message}\n`);
      for (const d of e.details) process.stderr.write(`  ${d.path}: ${d.message}\n`);
      process.exit(e.exitCode);
    }
    process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  }
}
