import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { serialRounds } from '../local-cloud/gcp/index.ts';
import { MIRROR as SEED } from '../local-cloud/gcp/seed.ts';
import { runFailover, startGcpWorld } from '../local-cloud/worlds/gcp-world.ts';
import { sdkComputeApi } from '../shared/providers/gcp/compute-sdk.ts';

/** Seed 000 waits this long between deleting the old access config and adding the new one. */
const SEED_SLEEP_MS = 10_000;

/**
 * Seed 000's ZMIRROR script, call for call: gcloud removes the alias from the other member (and waits), the script
 * adds it here (no wait), deletes the other member's access config, sleeps 10 s, and adds it here.
 */
export async function seedAlgorithm(url: string, sleepMs = SEED_SLEEP_MS): Promise<void> {
  const u = new URL(url);
  const api = await sdkComputeApi({ endpoint: { apiEndpoint: u.hostname, port: Number(u.port), protocol: 'http' } });
  const o = { timeoutMs: 30_000, signal: AbortSignal.timeout(60_000) };
  const project = SEED.project;
  const [old, here] = [SEED.primary, SEED.backup].map((m) => ({ project, zone: m.zone, instance: m.name }));
  if (!old || !here) throw new Error('seed members missing');
  const remote = await api.getNic(old, o);
  const removal = await api.setAliasRanges(
    { ...old, fingerprint: remote.fingerprint, ranges: [], requestId: randomUUID() },
    o,
  );
  await api.waitZoneOperation({ project, zone: old.zone, operation: removal.name }, o);
  const local = await api.getNic(here, o);
  await api.setAliasRanges({ ...here, fingerprint: local.fingerprint, ranges: [SEED.vip], requestId: randomUUID() }, o);
  await api.deleteAccessConfig({ ...old, name: SEED.accessConfigName, requestId: randomUUID() }, o);
  await delay(sleepMs);
  await api.addAccessConfig(
    { ...here, name: SEED.accessConfigName, natIP: SEED.externalIp, requestId: randomUUID() },
    o,
  );
}

/** One GCP alias-ip + access-config failover: mirror-vip vs the floor vs seed 000's algorithm, on the same emulator. */
export async function measureGcpFailover(latencyMs: number, operationDelayMs: number, withSeed: boolean) {
  const world = await startGcpWorld({ latencyMs, operationDelayMs, engine: { log: () => {} } });
  try {
    const r = await runFailover(world);
    if (r.result?.outcome !== 'moved') throw new Error(`gcp bench failover did not move: ${JSON.stringify(r.result)}`);
    const mirrorVip = {
      ms: r.ms,
      serialRounds: r.emulatorSerialRounds,
      calls: r.emulatorCalls,
      writes: r.result.writeCalls,
    };
    // The fewest serial steps the API allows for the alias chain (the access-config chain runs beside it):
    // read the fingerprint, remove, wait for DONE, add, wait for DONE.
    const floor = { ms: 3 * latencyMs + 2 * Math.max(latencyMs, operationDelayMs), serialRounds: 5 };
    let seed: { ms: number; serialRounds: number; calls: number } | undefined;
    if (withSeed) {
      world.emu.reset(); // back to the seeded state: the VIP on iris-a
      const first = world.emu.calls.length;
      const t0 = performance.now();
      await seedAlgorithm(world.emu.url);
      const ms = performance.now() - t0;
      const calls = world.emu.calls.slice(first);
      seed = { ms, serialRounds: serialRounds(calls), calls: calls.length };
    }
    return { latencyMs, operationDelayMs, mirrorVip, floor, seed };
  } finally {
    await world.close();
  }
}
