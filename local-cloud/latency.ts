import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits at least `ms` milliseconds as performance.now() counts them. A node timer fires on the event loop's cached
 * millisecond clock and can run up to a millisecond early by performance.now(); an emulator's injected latency is a
 * lower bound that its call log (performance.now() stamps) has to show, so the remainder is waited out.
 */
export async function waitAtLeast(ms: number, signal?: AbortSignal): Promise<void> {
  if (!(ms > 0)) return;
  const until = performance.now() + ms;
  for (let left = ms; left > 0; left = until - performance.now()) await delay(Math.ceil(left), undefined, { signal });
}
