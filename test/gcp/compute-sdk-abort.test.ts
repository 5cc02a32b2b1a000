import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MIRROR, startGcpEmulator } from '../../local-cloud/gcp/index.ts';
import { sdkComputeApi } from '../../shared/providers/gcp/compute-sdk.ts';
import { GCP_ENV, parseEndpoint } from '../../shared/providers/gcp/endpoint.ts';

describe('GCP SDK calls after the deadline', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  // The race soak saw "Deadline exceeded: get did not respond within 1 milliseconds" as unhandled rejections: a call
  // made once the invocation's signal had fired was still sent (with the 1 ms floor of the time left) and its promise
  // was dropped unwatched.
  it('a call whose signal already fired sends nothing and leaves no promise rejected unseen', async () => {
    const emu = await startGcpEmulator({ latencyMs: 30 });
    stops.push(() => emu.close());
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    stops.push(async () => void process.off('unhandledRejection', onUnhandled));
    const api = await sdkComputeApi({
      endpoint: parseEndpoint({ [GCP_ENV.computeEndpoint]: emu.url }, GCP_ENV.computeEndpoint),
    });
    const ref = { project: MIRROR.project, zone: MIRROR.primary.zone, instance: MIRROR.primary.name };
    const live = { timeoutMs: 5000, signal: new AbortController().signal };
    await api.getNic(ref, live); // the clients are made and warm

    const fired = AbortSignal.abort(new Error('deadline'));
    await expect(api.getNic(ref, { timeoutMs: 10, signal: fired })).rejects.toThrow('deadline');
    // a call started after it answers after the emulator's 30 ms: past the 10 ms an abandoned call would time out at
    await api.getNic(ref, live);
    await new Promise((r) => setImmediate(r));
    expect(unhandled).toEqual([]);
    expect(emu.calls.filter((c) => c.op === 'instances.get')).toHaveLength(2);
  });

  // A write sent after the deadline while the engine records it as not made: the alias removed from the holder by a
  // call the engine believes failed, and no add after it, is a VIP on nobody.
  it('a write whose signal already fired changes nothing', async () => {
    const emu = await startGcpEmulator();
    stops.push(() => emu.close());
    const api = await sdkComputeApi({
      endpoint: parseEndpoint({ [GCP_ENV.computeEndpoint]: emu.url }, GCP_ENV.computeEndpoint),
    });
    const ref = { project: MIRROR.project, zone: MIRROR.primary.zone, instance: MIRROR.primary.name };
    const nic = await api.getNic(ref, { timeoutMs: 5000, signal: new AbortController().signal });
    expect(nic.aliasRanges.map((r) => r.ipCidrRange)).toEqual([MIRROR.vip]);
    const fired = AbortSignal.abort(new Error('deadline'));
    const remove = { ...ref, fingerprint: nic.fingerprint, ranges: [], requestId: randomUUID() };
    await expect(api.setAliasRanges(remove, { timeoutMs: 5000, signal: fired })).rejects.toThrow('deadline');
    const after = await api.getNic(ref, { timeoutMs: 5000, signal: new AbortController().signal });
    expect(after.aliasRanges.map((r) => r.ipCidrRange)).toEqual([MIRROR.vip]);
    expect(emu.calls.filter((c) => c.write)).toEqual([]);
  });
});
