import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { serialRounds } from '../local-cloud/gcp/index.ts';
import { MIRROR as SEED } from '../local-cloud/gcp/seed.ts';
import { runFailover, startGcpWorld } from '../local-cloud/worlds/gcp-world.ts';
import { sdkComputeApi } from '../shared/providers/gcp/compute-sdk.ts';

/** Seed 000 waits this long between deleting the old access config and adding the new one. */
const SEED_SLEEP_MS = 10_000;

/** How long each operation runs: one figure for all, or per API method (REALISTIC_OPERATION_MS). */
export type Durations = number | Readonly<Record<string, number>>;
const durationOf = (d: Durations, op: string) => (typeof d === 'number' ? d : (d[op] ?? 0));

/**
 * Seed 000's ZMIRROR script, call for call: gcloud removes the alias from the other member (and waits), the script
 * adds it here (no wait), deletes the other member's access config, sleeps 10 s, and adds it here. The script does
 * not wait for the last operation; the clock stops when it is DONE, since the public VIP works only from then.
 */
export async function seedAlgorithm(url: string, sleepMs = SEED_SLEEP_MS): Promise<void> {
  const u = new URL(url);
  const api = await sdkComputeApi({ endpoint: { apiEndpoint: u.hostname, port: Number(u.port), protocol: 'http' } });
  const o = { timeoutMs: 150_000, signal: AbortSignal.timeout(300_000) };
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
  const range = { ipCidrRange: SEED.vip };
  await api.setAliasRanges({ ...here, fingerprint: local.fingerprint, ranges: [range], requestId: randomUUID() }, o);
  await api.deleteAccessConfig({ ...old, name: SEED.accessConfigName, requestId: randomUUID() }, o);
  await delay(sleepMs);
  const add = await api.addAccessConfig(
    { ...here, name: SEED.accessConfigName, natIP: SEED.externalIp, requestId: randomUUID() },
    o,
  );
  let done = add;
  while (done.status !== 'DONE')
    done = await api.waitZoneOperation({ project, zone: here.zone, operation: add.name }, o);
  if (done.error) throw new Error(`seed 000's addAccessConfig failed: ${done.error.code}`);
}

/**
 * The fewest serial steps Compute's rules allow for the private + public move, one operation at a time per
 * instance: read both NICs; remove the alias on the holder; then delete its access config while the alias is
 * added on the target; then add the access config. A step is the write's round trip, then waiting until DONE.
 */
function floorOf(latencyMs: number, d: Durations) {
  const step = (op: string) => latencyMs + Math.max(latencyMs, durationOf(d, op));
  const nic = 'instances.updateNetworkInterface';
  const ms =
    latencyMs +
    step(nic) +
    Math.max(step('instances.deleteAccessConfig'), step(nic)) +
    step('instances.addAccessConfig');
  return { ms, serialRounds: 7 };
}

/** One GCP alias-ip + access-config failover: mirror-vip vs the floor vs seed 000's algorithm, on the same emulator. */
export async function measureGcpFailover(latencyMs: number, durations: Durations, withSeed: boolean) {
  const timing =
    typeof durations === 'number' ? { operationDelayMs: durations } : { operationDelayByOp: { ...durations } };
  const world = await startGcpWorld({
    latencyMs,
    ...timing,
    // the product's GCP defaults (shared/config/timing.ts), since the operations take real time here
    deadlineMs: 90_000,
    mirror: { operationMs: 20_000 },
    engine: { log: () => {} },
  });
  try {
    const r = await runFailover(world);
    if (r.result?.outcome !== 'moved') throw new Error(`gcp bench failover did not move: ${JSON.stringify(r.result)}`);
    const mirrorVip = {
      ms: r.ms,
      serialRounds: r.emulatorSerialRounds,
      calls: r.emulatorCalls,
      writes: r.result.writeCalls,
    };
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
    return { latencyMs, durations, mirrorVip, floor: floorOf(latencyMs, durations), seed };
  } finally {
    await world.close();
  }
}
