import { ATERA_SIM_USAGE, runAteraSimCli } from './index.js';

/**
 * Stand-alone entry: `npx tsx src/atera-sim/cli-entry.ts --seed 42 --agents 2000 --port 4010`. Used by the
 * benchmark to run the simulator in its own process (so the client's memory is measured alone) and usable
 * until `keel atera-sim` is wired.
 */
try {
  const sim = await runAteraSimCli(process.argv.slice(2));
  if (sim) {
    const stop = (): void => {
      sim.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
} catch (err) {
  process.stderr.write(`atera-sim: ${err instanceof Error ? err.message : String(err)}\n\n${ATERA_SIM_USAGE}\n`);
  process.exit(2);
}
