import { describe, expect, it } from 'vitest';
import { waitAtLeast } from '../../local-cloud/latency.ts';

// A node timer fires on the loop's cached millisecond clock, so a raw setTimeout(ms) measured with performance.now()
// comes back early in a few percent of waits (8 of 300 on this machine). The emulators' latency must not.
describe('the emulators’ injected latency', () => {
  it('never ends before the asked milliseconds by performance.now(), over 300 short waits', async () => {
    const short: number[] = [];
    for (let i = 0; i < 300; i++) {
      const ms = 1 + (i % 5);
      const t = performance.now();
      await waitAtLeast(ms);
      if (performance.now() - t < ms) short.push(ms);
    }
    expect(short).toEqual([]);
  });

  it('stops early when its signal aborts, and waits nothing for 0 or a negative number', async () => {
    const ac = new AbortController();
    const pending = waitAtLeast(60_000, ac.signal);
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(waitAtLeast(0)).resolves.toBeUndefined();
    await expect(waitAtLeast(-5)).resolves.toBeUndefined();
  });
});
