import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveAzureHttp } from '../local-cloud/azure-http.ts';
import { serveFunctionUrl } from '../local-cloud/lambda-url.ts';
import type { MemberShape } from '../local-cloud/member-pages.ts';
import { serveApiGateway } from '../local-cloud/oci/api-gateway.ts';
import { startAwsWorld } from '../local-cloud/worlds/aws-world.ts';
import { startAzureWorld } from '../local-cloud/worlds/azure-world.ts';
import { startGcpWorld } from '../local-cloud/worlds/gcp-world.ts';
import { startOciWorld } from '../local-cloud/worlds/oci-world.ts';
import { type Member, type SignOverrides, signedParts } from '../local-cloud/worlds/signed.ts';
import type { CheckReport } from '../shared/core/check.ts';
import type { FailoverResult } from '../shared/core/result.ts';
import { awsPreflight, azurePreflight, gcpPreflight, ociPreflight } from './demo-preflight.ts';

export const DEMO_CLOUDS = ['aws', 'gcp', 'azure', 'oci'] as const;
export type DemoCloud = (typeof DEMO_CLOUDS)[number];

/** One emulated cloud with the mirror in it and the function in front, as the demo drives it. */
export interface Scenario {
  banner: string;
  functionUrl: string;
  secrets: Record<Member, string>;
  /** Where every VIP points now, for people. */
  where(): string;
  holdersAll(member: Member): boolean;
  setRole(member: Member, role: 'primary' | 'backup' | 'down'): void;
  /** The scheduled reconcile, through the platform's own trigger (EventBridge event / Pub/Sub message). */
  reconcile(): Promise<FailoverResult | undefined>;
  callNames(): string[];
  /** Commands for --serve: how to look at the emulated cloud read-only. */
  inspectEnv(): string;
  config: unknown;
  /** The preflight through the function's own scheduled trigger, and a permission to remove and restore. */
  preflight?: {
    run(): Promise<CheckReport | undefined>;
    breakIt(): string;
    fixIt(): string;
    /** Set where some findings are `error` by nature (OCI's write rights): then no `fail` is a pass, and this says why. */
    unprovable?: string;
  };
  close(): Promise<void>;
}

/** POST a signed event to a function URL, as a member does. */
export async function claim(url: string, member: Member, secrets: Record<Member, string>, o: SignOverrides = {}) {
  const { body, headers } = signedParts(secrets, member, o);
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, result: (await res.json()) as FailoverResult };
}

type Log = (line: Record<string, unknown>) => void;
type ScenarioOptions = {
  latency: number;
  tables: number;
  port: number;
  opDelay: number;
  log?: Log;
  shape: MemberShape;
};

async function awsScenario(o: ScenarioOptions): Promise<Scenario> {
  const log = o.log ?? (() => {});
  const world = await startAwsWorld({
    seed: { tables: o.tables },
    latencyMs: o.latency,
    engine: { log },
    shape: o.shape,
  });
  const fn = await serveFunctionUrl(world.handler, o.port);
  const tables = () => world.seeded.routeTableIds.map((id, i) => `${id} → ${world.routeHolders()[i]}`).join(', ');
  return {
    banner: `emulated AWS at ${world.emu.url}; ${o.tables} route table(s), ${o.latency} ms per EC2 call, VIP ${world.seeded.vipCidr}, EIP ${world.seeded.publicIp}`,
    functionUrl: fn.url,
    secrets: world.secrets,
    where: () => `${tables()}; EIP → ${world.eipHolder()}`,
    holdersAll: (m) => world.routeHolders().every((h) => h === m) && world.eipHolder() === m,
    setRole: (m, r) => world.members.set(m, r),
    reconcile: async () => {
      const tick = (await world.handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' })) as {
        results: FailoverResult[];
      };
      return tick.results[0];
    },
    callNames: () => world.emu.calls.map((c) => c.action),
    inspectEnv: () => `AWS_ENDPOINT_URL=${world.emu.url} AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo`,
    config: world.config,
    preflight: awsPreflight(world),
    close: async () => {
      await fn.close();
      await world.close();
    },
  };
}

async function gcpScenario(o: ScenarioOptions): Promise<Scenario> {
  const log = o.log ?? (() => {});
  const world = await startGcpWorld({
    latencyMs: o.latency,
    operationDelayMs: o.opDelay,
    engine: { log },
    shape: o.shape,
  });
  return {
    banner: `emulated Compute Engine at ${world.emu.url}; ${o.latency} ms per call, operations DONE after ${o.opDelay} ms, alias ${world.seed.vip}, external IP ${world.seed.externalIp}`,
    functionUrl: world.urls.http,
    secrets: world.secrets,
    where: () =>
      `alias ${world.seed.vip} → ${world.aliasHolders().join('+') || 'nobody'}; access config ${world.seed.externalIp} → ${world.accessConfigHolders().join('+') || 'nobody'}`,
    holdersAll: (m) => world.aliasHolders().join() === m && world.accessConfigHolders().join() === m,
    setRole: (m, r) => world.members.set(m, r),
    reconcile: async () => (await world.publish({ kind: 'mirror-vip.reconcile' })).results[0],
    callNames: () => world.emu.calls.map((c) => c.op),
    inspectEnv: () => `MIRROR_VIP_GCP_COMPUTE_ENDPOINT=${world.emu.url}`,
    config: world.config,
    preflight: gcpPreflight(world),
    close: () => world.close(),
  };
}

async function azureScenario(o: ScenarioOptions): Promise<Scenario> {
  const world = await startAzureWorld({
    latencyMs: o.latency,
    operationDelayMs: o.opDelay,
    pollIntervalMs: 100,
    engine: { log: () => {} },
    shape: o.shape,
  });
  const fn = await serveAzureHttp(world.fns.mirrorVip, 'mirrorVip', o.port);
  const list = (m: string[]) => m.join('+') || 'nobody';
  return {
    banner: `emulated Azure Resource Manager at ${world.emu.url}; ${o.latency} ms per call, NIC updates run ${o.opDelay} ms (Retry-After: 10 ignored, polled every 100 ms), VIP ip-configuration ${world.seed.vip}, public IP ${world.seed.publicIp}`,
    functionUrl: fn.url,
    secrets: world.secrets,
    where: () =>
      `ip-configuration ${world.seed.vip} → ${list(world.ipConfigHolders())}; public IP ${world.seed.publicIp} → ${list(world.publicIpHolders())}`,
    holdersAll: (m) => world.ipConfigHolders().join() === m && world.publicIpHolders().join() === m,
    setRole: (m, r) => world.members.set(m, r),
    reconcile: async () => (await world.tick())[0],
    callNames: () => world.emu.calls.map((c) => c.op),
    inspectEnv: () =>
      `MIRROR_VIP_AZURE_ARM_ENDPOINT=${world.emu.url} NODE_EXTRA_CA_CERTS=${world.emu.caFile} IDENTITY_ENDPOINT=${world.emu.identity.endpoint} IDENTITY_HEADER=${world.emu.identity.header}`,
    config: world.config,
    preflight: azurePreflight(world),
    close: async () => {
      await fn.close();
      await world.close();
    },
  };
}

async function ociScenario(o: ScenarioOptions): Promise<Scenario> {
  const world = await startOciWorld({
    mode: 'both',
    latencyMs: o.latency,
    assigningMs: 500,
    engine: { log: () => {} },
    shape: o.shape,
  });
  const socket = world.instances[0]?.socket ?? '';
  const gateway = await serveApiGateway(() => socket, '127.0.0.1', undefined, o.port);
  const routes = () => world.routes().join('+');
  return {
    banner: `emulated OCI VirtualNetwork at ${world.emu.url} (signed requests only); ${o.latency} ms per call, public IP ASSIGNING for 500 ms, private IP ${world.seed.vip} + public IP ${world.seed.publicIp}, route ${world.seed.routeVip}; the function runs under the FDK on ${socket}`,
    functionUrl: gateway.url,
    secrets: world.secrets,
    where: () => {
      const p = world.publicIp();
      return `private IP ${world.seed.vip} → ${world.privateIpHolder()}; public IP ${world.seed.publicIp} ${p.state} → ${p.on}; routes → ${routes()}`;
    },
    holdersAll: (m) =>
      world.privateIpHolder() === m && world.publicIp().on === m && world.routes().every((r) => r === m),
    setRole: (m, r) => world.members.set(m, r),
    reconcile: async () => (await world.invoke({ kind: 'mirror-vip.reconcile' })).results[0],
    callNames: () => world.emu.calls.map((c) => c.op),
    inspectEnv: () =>
      ['MIRROR_VIP_OCI_ENDPOINT', 'MIRROR_VIP_OCI_KEY_ID', 'MIRROR_VIP_OCI_KEY_FILE']
        .map((k) => `${k}=${world.env[k]}`)
        .join(' '),
    config: world.config,
    preflight: ociPreflight(world),
    close: async () => {
      await gateway.close();
      await world.close();
    },
  };
}

export function startScenario(cloud: DemoCloud, o: ScenarioOptions) {
  if (cloud === 'azure') return azureScenario(o);
  if (cloud === 'oci') return ociScenario(o);
  return cloud === 'gcp' ? gcpScenario(o) : awsScenario(o);
}

/** Write what --serve needs to a temp dir: iris-a's key file (mode 600) and the configuration. */
export function serveFiles(s: Scenario): { keyFile: string; configFile: string } {
  const keyFile = join(tmpdir(), 'mirror-vip-demo-iris-a.key');
  writeFileSync(keyFile, `${s.secrets['iris-a']}\n`, { mode: 0o600 });
  const configFile = join(tmpdir(), 'mirror-vip-demo-config.json');
  writeFileSync(configFile, JSON.stringify(s.config, null, 2));
  return { keyFile, configFile };
}
