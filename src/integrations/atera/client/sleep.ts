import type { Clock } from '../../../core/clock.js';

/**
 * Sleeps on the injected clock and rejects with the signal's reason on abort.
 *
 * The clock gets a short-lived child signal, never the caller's: a long read shares one signal across thousands
 * of waits, and a listener left on it per wait would pile up for the whole read. The child is dropped with this
 * sleep, and our own listener is removed when the sleep ends. Clocks that ignore signals (ManualClock) are
 * covered by the race below.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) return Promise.reject(signal.reason);
  const child = new AbortController();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      child.abort(signal.reason);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    clock.sleep(ms, child.signal).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
