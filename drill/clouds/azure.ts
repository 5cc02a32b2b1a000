import { randomBytes } from 'node:crypto';
import { NetworkManagementClient } from '@azure/arm-network';
import {
  ArmState,
  type AzureEmulator,
  MIRROR as SEED,
  seedMirrorSubscription,
  startAzureEmulator,
} from '../../local-cloud/azure/index.ts';
import { withProbeOf } from '../../local-cloud/member-pages.ts';
import type { FakeMembers } from '../../local-cloud/members.ts';
import { azureConfigFor, MIRROR } from '../../local-cloud/worlds/azure-world.ts';
import { AZURE_DEFAULT_POLL_MS } from '../../shared/config/schema-azure.ts';
import { AZURE_ENV } from '../../shared/providers/azure/endpoint.ts';
import { type DrillMember, MEMBERS } from '../netns.ts';
import { stopChild } from '../processes.ts';
import { AZURE_PROFILE, AZURE_ROUTE_PROFILE, type LatencyProfile } from '../profiles.ts';
import { serveBundle } from './host.ts';
import { type CloudSession, type CloudStartOptions, type DrillCloud, PRODUCT_HEALTH, sessionParts } from './types.ts';

/** What Azure sends with every long-running operation answer (the SDK poller and the CLI sleep it; sdk-notes). */
const RETRY_AFTER_S = 10;
const NIC_PUT = 'networkInterfaces.put';
const ROUTE_PUT = 'routes.put';

const emulatorTiming = (p: LatencyProfile, scale: number) => ({
  latencyMs: p.apiMs,
  operationDelayMs: p.operationByOp[NIC_PUT] ?? p.operationByOp[ROUTE_PUT] ?? 0,
  // Retry-After is whole seconds on the wire: scaled, at least 1
  lroRetryAfterSeconds: Math.max(1, Math.round(RETRY_AFTER_S * scale)),
});

/** The ARM resources, to put back between runs (the emulator's reset clears calls and faults, not the state). */
function snapshot(state: ArmState) {
  const maps = { nics: state.nics, subnets: state.subnets, publicIps: state.publicIps, routeTables: state.routeTables };
  const saved = structuredClone(maps);
  return () => {
    for (const [name, map] of Object.entries(maps) as [keyof typeof maps, Map<string, unknown>][]) {
      map.clear();
      for (const [k, v] of structuredClone(saved[name])) map.set(k, v);
    }
  };
}

/**
 * Seed 001's algorithm, run by the new primary's ZMIRROR callback (`az network nic ip-config delete` on the other
 * member's NIC, then `create` on its own, each waited to its end, no ETag, no probe): through @azure/arm-network
 * here, whose poller sleeps the Retry-After as the CLI does.
 */
async function seedAlgorithm(emu: AzureEmulator, to: DrillMember): Promise<void> {
  const token = emu.issueToken();
  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const client = new NetworkManagementClient(credential, SEED.subscriptionId, {
    endpoint: emu.url,
    tlsOptions: { ca: emu.ca },
  });
  const rg = SEED.resourceGroup;
  const [self, other] = to === 'iris-a' ? [SEED.primary, SEED.backup] : [SEED.backup, SEED.primary];
  const old = await client.networkInterfaces.get(rg, other.nic);
  const vip = old.ipConfigurations?.find((c) => c.name === SEED.ipConfigName);
  old.ipConfigurations = old.ipConfigurations?.filter((c) => c.name !== SEED.ipConfigName);
  await client.networkInterfaces.createOrUpdate(rg, other.nic, old);
  const here = await client.networkInterfaces.get(rg, self.nic);
  here.ipConfigurations = [
    ...(here.ipConfigurations ?? []),
    {
      name: SEED.ipConfigName,
      privateIPAddress: SEED.vip,
      privateIPAllocationMethod: 'Static',
      subnet: here.ipConfigurations?.[0]?.subnet,
      publicIPAddress: vip?.publicIPAddress,
    },
  ];
  await client.networkInterfaces.createOrUpdate(rg, self.nic, here);
}

type AzureMode = 'ip-config' | 'route';

/** Route mode: the member the client subnet's table routes the VIP to, once that route's update has succeeded. */
function routeHolder(state: ArmState): DrillMember | undefined {
  const table = [...state.routeTables.values()].find((t) => t.name === SEED.routeTables[0]);
  const route = table && [...table.routes.values()].find((r) => r.addressPrefix === SEED.routeVip);
  if (route?.provisioningState !== 'Succeeded') return undefined;
  return MEMBERS.find((m) => (m === 'iris-a' ? SEED.primary.ip : SEED.backup.ip) === route.nextHopIpAddress);
}

async function start(mode: AzureMode, o: CloudStartOptions): Promise<CloudSession> {
  const { healthUrls, members = 'iris', hostIp, profile, scale } = o;
  const state = new ArmState();
  seedMirrorSubscription(state, mode === 'route' ? { publicIp: false, routes: true } : { publicIp: true });
  const restore = snapshot(state);
  // the timing goes in the start options: the emulator's reset() returns to them
  const emu = await startAzureEmulator({ state, ...emulatorTiming(profile, scale) });
  const secrets = { 'iris-a': randomBytes(32).toString('base64url'), 'iris-b': randomBytes(32).toString('base64url') };
  // azureConfigFor reads only the members' health URLs; the product's poll interval, scaled
  const config = azureConfigFor({ urls: healthUrls } as unknown as FakeMembers, {
    mode,
    publicIp: mode === 'ip-config',
    deadlineMs: 120_000,
    pollIntervalMs: Math.max(10, Math.round(AZURE_DEFAULT_POLL_MS * scale)),
  });
  const mirror = config.mirrors[0];
  if (mirror) mirror.health = { ...PRODUCT_HEALTH };
  const env = {
    MIRROR_VIP_CONFIG: JSON.stringify(withProbeOf(config, members)),
    MIRROR_VIP_KEY_IRIS_A: secrets['iris-a'],
    MIRROR_VIP_KEY_IRIS_B: secrets['iris-b'],
    [AZURE_ENV.armEndpoint]: emu.url,
    IDENTITY_ENDPOINT: emu.identity.endpoint,
    IDENTITY_HEADER: emu.identity.header,
    NODE_EXTRA_CA_CERTS: emu.caFile,
  };
  const fn = await serveBundle('azure-host.ts', 'dist/azure/index.mjs', env);
  const nics: Record<DrillMember, string> = { 'iris-a': SEED.primary.nic, 'iris-b': SEED.backup.nic };
  const epoch = (ms: number) => emu.callsEpochMs + ms;
  return {
    functionUrl: `http://${hostIp}:${fn.port}/api/mirrorVip`,
    mirror: MIRROR,
    ...sessionParts({
      secrets,
      changes: emu.changes,
      writeTimes: () => emu.calls.filter((c) => c.write).map((c) => epoch(c.startedAt)),
    }),
    // Azure routes the ip-configuration's address to the NIC once its update has succeeded: a NIC still Updating
    // (its operation running) does not receive the VIP yet
    holder: () =>
      mode === 'route'
        ? routeHolder(state)
        : MEMBERS.find((m) => {
            const nic = state.nicByName(nics[m]);
            return (
              nic?.provisioningState === 'Succeeded' &&
              nic.ipConfigurations.some((c) => c.name === SEED.ipConfigName && c.privateIPAddress === SEED.vip)
            );
          }),
    reset: async () => {
      restore();
      emu.reset();
    },
    seedMove: async (to) => {
      if (mode !== 'ip-config') throw new Error('seed 001 moves the ip-configuration only');
      await seedAlgorithm(emu, to);
    },
    // the timer trigger (every minute, functions/azure/app.ts TIMER_SCHEDULE) fired once
    reconcile: async () => {
      await (await fetch(fn.invoke, { method: 'POST' })).text();
    },
    close: async () => {
      await stopChild(fn.child);
      await emu.close();
    },
  };
}

/** Azure, ip-config mode (seed 001): the `vip` ip-configuration (private VIP + public IP) on the primary's NIC. */
export const azureCloud: DrillCloud = {
  name: 'azure',
  profile: AZURE_PROFILE,
  vipCidr: `${SEED.vip}/32`,
  start: (o) => start('ip-config', o),
};

/** Azure, route mode (UDR): each route table's VIP route → the primary's IP as a virtual appliance (mirror-vip only). */
export const azureRouteCloud: DrillCloud = {
  name: 'azure-route',
  profile: AZURE_ROUTE_PROFILE,
  vipCidr: SEED.routeVip,
  start: (o) => start('route', o),
};
