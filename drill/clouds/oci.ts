import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as common from 'oci-common';
import { VirtualNetworkClient } from 'oci-core';
import { ensureBundle } from '../../local-cloud/bundles.ts';
import { withProbeOf } from '../../local-cloud/member-pages.ts';
import type { FakeMembers } from '../../local-cloud/members.ts';
import { serveApiGateway } from '../../local-cloud/oci/api-gateway.ts';
import { serveFdkBundle } from '../../local-cloud/oci/fdk-bundle.ts';
import { invokeDirect } from '../../local-cloud/oci/fn-invoke.ts';
import {
  type OciEmulator,
  OciState,
  MIRROR as SEED,
  seedMirrorTenancy,
  startOciEmulator,
  testKeyPair,
} from '../../local-cloud/oci/index.ts';
import { MIRROR, ociConfigFor } from '../../local-cloud/worlds/oci-world.ts';
import { OCI_DEFAULT_DEADLINE_MS } from '../../shared/config/schema-oci.ts';
import { OCI_ENV } from '../../shared/providers/oci/endpoint.ts';
import { NO_SDK_RETRY } from '../../shared/providers/oci/oci-sdk.ts';
import type { DrillMember } from '../netns.ts';
import { stopChild, track } from '../processes.ts';
import { type LatencyProfile, OCI_PROFILE, OCI_ROUTE_PROFILE } from '../profiles.ts';
import { type CloudSession, type CloudStartOptions, type DrillCloud, PRODUCT_HEALTH, sessionParts } from './types.ts';

const epoch = (perf: number) => performance.timeOrigin + perf;

function applyProfile(emu: OciEmulator, p: LatencyProfile): void {
  emu.faults.latencyMs = p.apiMs;
  emu.faults.latencyByOp = { ...p.apiByOp };
}

/**
 * Seed 004's claimip.py, run from keepalived's notify_master on the new primary: one UpdatePrivateIp with the new
 * VNIC, no if-match, no retry, no look at the public IP (it follows the private IP, ASSIGNING → ASSIGNED, unwatched).
 */
async function seedScript(emu: OciEmulator, key: ReturnType<typeof testKeyPair>, to: DrillMember): Promise<void> {
  const [tenancy, user, fingerprint] = key.keyId.split('/') as [string, string, string];
  const auth = new common.SimpleAuthenticationDetailsProvider(tenancy, user, fingerprint, key.privateKey, null);
  const network = new VirtualNetworkClient({ authenticationDetailsProvider: auth }, NO_SDK_RETRY);
  network.endpoint = emu.url;
  const vnicId = to === 'iris-a' ? SEED.primary.vnicId : SEED.backup.vnicId;
  await network.updatePrivateIp({ privateIpId: SEED.privateIpId, updatePrivateIpDetails: { vnicId } });
}

type OciMode = 'private-ip' | 'route';

/** Route mode: the member whose primary private IP the first route table's VIP rule targets (the client's subnet). */
function routeHolder(state: OciState): DrillMember | undefined {
  const rule = state.routeTables
    .get(SEED.routeTableIds[0] ?? '')
    ?.routeRules.find((r) => r.destination === SEED.routeVip);
  if (rule?.networkEntityId === SEED.primary.privateIpId) return 'iris-a';
  return rule?.networkEntityId === SEED.backup.privateIpId ? 'iris-b' : undefined;
}

async function start(
  mode: OciMode,
  { healthUrls, members = 'iris', hostIp, profile }: CloudStartOptions,
): Promise<CloudSession> {
  const key = testKeyPair();
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-drill-oci-'));
  const keyFile = join(dir, 'function-key.pem');
  writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
  const state = new OciState();
  seedMirrorTenancy(state);
  const secrets = { 'iris-a': randomBytes(32).toString('base64url'), 'iris-b': randomBytes(32).toString('base64url') };
  const emu = await startOciEmulator({
    state,
    keys: { [key.keyId]: key.publicKey },
    latencyMs: profile.apiMs,
    // the reserved public IP stays ASSIGNING this long after the private IP moved
    assigningMs: profile.operationByOp['publicIp.assign'] ?? 0,
    // iris-b's key is read from Vault at cold start, iris-a's from the environment (as the OCI world does)
    secrets: { [SEED.secretId]: secrets['iris-b'] },
  });
  applyProfile(emu, profile);
  // ociConfigFor reads only the members' health URLs
  const config = ociConfigFor({ urls: healthUrls } as unknown as FakeMembers, {
    mode,
    publicIp: mode === 'private-ip',
    deadlineMs: OCI_DEFAULT_DEADLINE_MS,
  });
  const mirror = config.mirrors[0];
  if (mirror) mirror.health = { ...PRODUCT_HEALTH };
  const env = {
    MIRROR_VIP_CONFIG: JSON.stringify(withProbeOf(config, members)),
    MIRROR_VIP_KEY_IRIS_A: secrets['iris-a'],
    [OCI_ENV.endpoint]: emu.url,
    [OCI_ENV.secretsEndpoint]: emu.url,
    [OCI_ENV.keyId]: key.keyId,
    [OCI_ENV.keyFile]: keyFile,
  };
  // the bundle under the real FDK on its unix socket, as Fn runs its container; API Gateway in front of it
  const fn = await serveFdkBundle(await ensureBundle('dist/oci/func.mjs'), env);
  track(fn.child);
  const gateway = await serveApiGateway(() => fn.socket, '0.0.0.0');
  const vnics: Record<string, DrillMember> = { [SEED.primary.vnicId]: 'iris-a', [SEED.backup.vnicId]: 'iris-b' };
  return {
    functionUrl: `http://${hostIp}:${new URL(gateway.url).port}/mirror-vip/event`,
    mirror: MIRROR,
    ...sessionParts({
      secrets,
      changes: emu.changes,
      writeTimes: () => emu.calls.filter((c) => c.write).map((c) => epoch(c.startedAt)),
    }),
    // the VCN routes the secondary private IP to the VNIC it is assigned to (UpdatePrivateIp is synchronous)
    holder: () => (mode === 'route' ? routeHolder(state) : vnics[state.privateIps.get(SEED.privateIpId)?.vnicId ?? '']),
    reset: async () => {
      emu.reset();
      applyProfile(emu, profile);
    },
    seedMove: async (to) => {
      if (mode !== 'private-ip') throw new Error('seed 004 moves the private IP only');
      await seedScript(emu, key, to);
    },
    // Resource Scheduler invokes the function directly with the reconcile message (functions/oci/oci-events.ts)
    reconcile: async () => {
      await invokeDirect(fn.socket, JSON.stringify({ kind: 'mirror-vip.reconcile' }));
    },
    close: async () => {
      await stopChild(fn.child);
      await gateway.close();
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** OCI, private-ip mode (seed 004): the secondary private IP (and its reserved public IP) on the primary's VNIC. */
export const ociCloud: DrillCloud = {
  name: 'oci',
  profile: OCI_PROFILE,
  vipCidr: `${SEED.vip}/32`,
  start: (o) => start('private-ip', o),
};

/** OCI, route mode: the route tables' VIP rule targets the primary's private IP (no seed: mirror-vip only). */
export const ociRouteCloud: DrillCloud = {
  name: 'oci-route',
  profile: OCI_ROUTE_PROFILE,
  vipCidr: SEED.routeVip,
  start: (o) => start('route', o),
};
