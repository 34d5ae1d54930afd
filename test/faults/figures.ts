import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// ------------------------------------------------------------------ figures

export interface Figures {
  runs: number;
  kills: number;
  killsMidWork: number;
  faultsInjected: number;
  faultedResponses: number;
  duplicates: number;
  lostCloses: number;
  wrongDeactivations: number;
  duplicatePuts: number;
  resolvesMirrored: number;
  comparisons: number;
  mismatches: number;
}

export const emptyFigures = (): Figures => ({
  runs: 0,
  kills: 0,
  killsMidWork: 0,
  faultsInjected: 0,
  faultedResponses: 0,
  duplicates: 0,
  lostCloses: 0,
  wrongDeactivations: 0,
  duplicatePuts: 0,
  resolvesMirrored: 0,
  comparisons: 0,
  mismatches: 0,
});

export const FIGURES_DIR = path.resolve(import.meta.dirname, '../../.tmp/faults-figures');

/** Prints a file's figures and leaves them for the faults config's teardown, which prints the totals. */
export function reportFigures(name: string, f: Figures, extra: Record<string, unknown> = {}): void {
  const line =
    `[faults] ${name}: runs ${f.runs}, kills ${f.kills} (${f.killsMidWork} mid-work), faults injected ${f.faultsInjected} ` +
    `(${f.faultedResponses} faulted responses), duplicates found ${f.duplicates}, lost closes ${f.lostCloses}, ` +
    `wrong deactivations ${f.wrongDeactivations}, duplicate resolve PUTs ${f.duplicatePuts} of ${f.resolvesMirrored} resolves, ` +
    `end-state comparisons ${f.comparisons} (${f.mismatches} mismatched)` +
    (Object.keys(extra).length
      ? `, ${Object.entries(extra)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(', ')}`
      : '');
  process.stdout.write(`${line}\n`);
  try {
    mkdirSync(FIGURES_DIR, { recursive: true });
    writeFileSync(
      path.join(FIGURES_DIR, `${name.replace(/[^a-z0-9-]+/gi, '_')}.json`),
      JSON.stringify({ name, ...f, ...extra }),
    );
  } catch {
    // figures are informative; never fail a test over them
  }
}
