import { type ChildProcess, spawn } from 'node:child_process';

/** Starts `keel worker` processes against one PostgreSQL database; resolves when each says it started. */
export async function startWorkers(count: number, databaseUrl: string): Promise<{ stop(): Promise<void> }> {
  const procs: ChildProcess[] = [];
  await Promise.all(
    Array.from({ length: count }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker'], {
        env: { ...process.env, DATABASE_URL: databaseUrl, KEEL_SECRET_KEY: 'bench', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      procs.push(child);
      return new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          if (String(d).includes('worker started')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      });
    }),
  );
  return {
    stop: async () => {
      await Promise.all(
        procs.map(
          (p) =>
            new Promise<void>((resolve) => {
              if (p.exitCode !== null) return resolve();
              p.once('exit', () => resolve());
              p.kill('SIGTERM');
              setTimeout(() => p.kill('SIGKILL'), 15_000).unref();
            }),
        ),
      );
    },
  };
}
