import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FIGURES_DIR } from './figures.js';

/**
 * Global setup of the fault suite: clears the figures of an earlier run, and at the end prints every file's
 * figures and their totals (runs, kills, faults injected, duplicates, lost closes, wrong deactivations).
 */
export default function setup(): () => void {
  rmSync(FIGURES_DIR, { recursive: true, force: true });
  return () => {
    let files: string[] = [];
    try {
      files = readdirSync(FIGURES_DIR).filter((f) => f.endsWith('.json'));
    } catch {
      return;
    }
    const rows = files.map(
      (f) => JSON.parse(readFileSync(path.join(FIGURES_DIR, f), 'utf8')) as Record<string, number | string>,
    );
    const keys = [
      'runs',
      'kills',
      'killsMidWork',
      'faultsInjected',
      'faultedResponses',
      'duplicates',
      'lostCloses',
      'wrongDeactivations',
      'duplicatePuts',
      'resolvesMirrored',
      'comparisons',
      'mismatches',
    ];
    const total: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
    const lines = ['', 'Fault suite figures'];
    for (const r of rows.sort((a, b) => String(a.name).localeCompare(String(b.name)))) {
      for (const k of keys) total[k]! += Number(r[k] ?? 0);
      lines.push(`  ${String(r.name).padEnd(34)} ${keys.map((k) => `${k} ${r[k] ?? 0}`).join(', ')}`);
    }
    lines.push(
      `  TOTAL: runs ${total.runs}, kills ${total.kills} (${total.killsMidWork} mid-work), faults injected ${total.faultsInjected} ` +
        `(${total.faultedResponses} faulted responses), duplicates found ${total.duplicates}, lost closes ${total.lostCloses}, ` +
        `wrong deactivations ${total.wrongDeactivations}, duplicate resolve PUTs ${total.duplicatePuts} of ${total.resolvesMirrored}, ` +
        `end-state comparisons ${total.comparisons} (${total.mismatches} mismatched)`,
      '',
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  };
}
