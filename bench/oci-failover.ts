import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as common from 'oci-common';
import { VirtualNetworkClient } from 'oci-core';
import { ROOT } from '../local-cloud/bundles.ts';
import { serveFdkBundle } from '../local-cloud/oci/fdk-bundle.ts';
import { viaGateway } from '../local-cloud/oci/fn-invoke.ts';
import { serialRounds } from '../local-cloud/oci/index.ts';
import { type OciWorld, runFailover, startOciWorld } from '../local-cloud/worlds/oci-world.ts';
import { NO_SDK_RETRY } from '../shared/providers/oci/oci-sdk.ts';

/** Resolve when the emulator has recorded `kind` (no polling: every state change is pushed to transitions). */
const whenTransition = (world: OciWorld, kind: string, after: number) =>
  new Promise<number>((resolve) => {
    const check = () => {
      const t = world.state.transitions.find((x) => x.kind === kind && x.at >= after);
      if (t) resolve(t.at);
      else setImmediate(check);
    };
    check();
  });

/**
 * Seed 004's failover.sh → python, call for call: one UpdatePrivateIp(vnicId) with no if-match and no retry, then
 * exit. It never looks at the public IP: the figure that matters is when that is ASSIGNED, watched on the emulator.
 */
async function seedScript(world: OciWorld) {
  const [tenancy, user, fp] = String(world.env.MIRROR_VIP_OCI_KEY_ID).split('/') as [string, string, string];
  const pem = readFileSync(String(world.env.MIRROR_VIP_OCI_KEY_FILE), 'utf8');
  const auth = new common.SimpleAuthenticationDetailsProvider(tenancy, user, fp, pem, null);
  const network = new VirtualNetworkClient({ authenticationDetailsProvider: auth }, NO_SDK_RETRY);
  network.endpoint = world.emu.url;
  const t0 = performance.now();
  await network.updatePrivateIp({
    privateIpId: world.seed.privateIpId,
    updatePrivateIpDetails: { vnicId: world.seed.backup.vnicId },
  });
  const returned = performance.now() - t0;
  const assigned = (await whenTransition(world, 'public-ip-assigned', t0)) - t0;
  return { returnedMs: returned, publicIpAssignedMs: assigned };
}

/** Milliseconds between the first cloud call's start and the last one's end with no call in flight. */
export function idleBetweenCalls(calls: readonly { startedAt: number; endedAt: number }[]): number {
  const sorted = [...calls].sort((a, b) => a.startedAt - b.startedAt);
  let idle = 0;
  let end = sorted[0]?.startedAt ?? 0;
  for (const c of sorted) {
    if (c.startedAt > end) idle += c.startedAt - end;
    end = Math.max(end, c.endedAt);
  }
  return idle;
}

/**
 * One failover through the function: wall time, serial rounds, calls, writes, and the time before the write with no
 * cloud call in flight (what the function spends between its reads and its write: probes, the pause read).
 */
async function mirrorVipRun(latencyMs: number, assigningMs: number, pollMs: number, privateIpById: boolean) {
  const world = await startOciWorld({ latencyMs, assigningMs, privateIpById, engine: { log: () => {}, pollMs } });
  try {
    const first = world.emu.calls.length;
    const r = await runFailover(world);
    if (r.result?.outcome !== 'moved') throw new Error(`oci bench failover did not move: ${JSON.stringify(r.result)}`);
    const calls = world.emu.calls.slice(first);
    const write = calls.find((c) => c.write);
    const idleMs = idleBetweenCalls(calls.filter((c) => write && c.startedAt <= write.startedAt));
    return {
      ms: r.ms,
      serialRounds: r.emulatorSerialRounds,
      calls: r.emulatorCalls,
      writes: r.result.writeCalls,
      idleMs,
    };
  } finally {
    await world.close();
  }
}

/**
 * One OCI private-ip failover (seed 004): mirror-vip with the VIP found by address (as seed 004 names it) and given
 * by OCID, vs the floor vs seed 004's script, on the same emulator.
 */
export async function measureOciFailover(latencyMs: number, assigningMs: number, pollMs: number) {
  const mirrorVip = await mirrorVipRun(latencyMs, assigningMs, pollMs, false);
  const mirrorVipById = await mirrorVipRun(latencyMs, assigningMs, pollMs, true);
  // The fewest serial calls that move it safely and know the public IP is usable: read the etag, UpdatePrivateIp
  // with if-match, one GetPublicIp that sees ASSIGNED (which cannot come before assigningMs after the write).
  const floor = { ms: 2 * latencyMs + Math.max(assigningMs, latencyMs), serialRounds: 3 };
  // What the product adds by design: the convergence read-back (docs/protocol.md) and, found by address, the
  // GetPrivateIp for the etag ListPrivateIps does not carry.
  const withReadBack = { byAddress: floor.ms + 2 * latencyMs, byId: floor.ms + latencyMs };
  const world = await startOciWorld({ latencyMs, assigningMs, engine: { log: () => {}, pollMs } });
  try {
    world.emu.reset();
    const first = world.emu.calls.length;
    const seedRun = await seedScript(world);
    const calls = world.emu.calls.slice(first);
    const seed = { ...seedRun, serialRounds: serialRounds(calls), calls: calls.length };
    return { latencyMs, assigningMs, pollMs, mirrorVip, mirrorVipById, floor, withReadBack, seed };
  } finally {
    await world.close();
  }
}

/** Cold start of dist/oci/func.mjs under the real FDK: spawn → socket → first gateway response (a move). */
export async function measureOciColdStart(runs = 3) {
  const bundle = `${ROOT}/dist/oci/func.mjs`;
  const listening: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < runs; i++) {
    const world = await startOciWorld({ engine: { log: () => {} } });
    const fn = await serveFdkBundle(bundle, world.env);
    try {
      listening.push(fn.readyAt - fn.spawnedAt);
      world.members.set('iris-a', 'down');
      world.members.set('iris-b', 'primary');
      const res = await viaGateway(fn.socket, world.signedRequest('iris-b'));
      first.push(performance.now() - fn.spawnedAt);
      if (res.status !== 200) throw new Error(`oci cold start run failed: ${res.text}`);
    } finally {
      await fn.stop();
      await world.close();
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  return {
    runs,
    listeningMedianMs: median(listening),
    firstResponseMedianMs: median(first),
    bundleBytes: statSync(bundle).size,
    bundleGzipBytes: gzipSync(readFileSync(bundle)).length,
  };
}
