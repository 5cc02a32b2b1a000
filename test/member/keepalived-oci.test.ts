import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApiGateway } from '../../local-cloud/oci/api-gateway.ts';
import { MIRROR, type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { answerLog, electThenFailOver, keepalivedPair, netnsPrefix } from './keepalived-support.ts';

// Seed 004 on OCI, without the VMs' network rights: two real keepalived daemons in network namespaces elect a MASTER,
// notify_master runs the project's notifier, which calls the API Gateway; the function (the real FDK on its unix
// socket) moves the secondary private IP and its reserved public IP on the OCI emulator.
const pair = keepalivedPair({ prefix: netnsPrefix('mvo'), subnet: '10.231.9' });
const log = answerLog();
let world: OciWorld;
let fn: Awaited<ReturnType<typeof serveApiGateway>>;

beforeAll(async () => {
  world = await startOciWorld({ assigningMs: 50 });
  pair.up();
  const first = world.instances[0];
  if (!first) throw new Error('no function instance');
  fn = await serveApiGateway(
    () => first.socket,
    pair.functionIp,
    (r) => log.record(JSON.parse(r.text) as FailoverResult),
  );
}, 30_000);

afterAll(async () => {
  pair.down();
  await fn?.close();
  await world?.close();
});

describe('keepalived on OCI (seed 004: real daemons, VRRP unicast between two network namespaces)', () => {
  it('the MASTER notifies through notify_master; on its death the other takes over and the private IP and its public IP follow', async () => {
    await electThenFailOver(pair, log, world, { url: fn.url, mirror: MIRROR }, (m) => {
      expect(world.privateIpHolder()).toBe(m);
      expect(world.publicIp()).toEqual({ state: 'ASSIGNED', on: m });
    });
    expect(world.emu.calls.filter((c) => c.write && c.status === 200).map((c) => c.op)).toEqual(['UpdatePrivateIp']);
  }, 40_000);
});
