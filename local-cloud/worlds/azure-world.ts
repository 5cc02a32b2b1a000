import { randomBytes } from 'node:crypto';
import { createAzureFunctions, FUNCTION_NAMES } from '../../functions/azure/app.ts';
import { PAUSE_SECRETS_ENV } from '../../shared/config/paused.ts';
import type { EngineDeps } from '../../shared/core/engine.ts';
import type { MemberRole } from '../../shared/core/health.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { sdkNetworkApi } from '../../shared/providers/azure/arm-sdk.ts';
import { AZURE_ENV } from '../../shared/providers/azure/endpoint.ts';
import {
  ArmState,
  type AzureEmulator,
  key,
  PUBLIC_IP_ID,
  MIRROR as SEED,
  type SeedOptions,
  seedMirrorSubscription,
  startAzureEmulator,
  tableNames,
} from '../azure/index.ts';
import { GET_SECRET, SET_SECRET, startKeyVaultEmulator } from '../azure/key-vault.ts';
import { azureRequest, callAzureHttp, invocation } from '../azure-http.ts';
import { type MemberShape, withMemberShape } from '../member-pages.ts';
import { type FakeMembers, startFakeMembers } from '../members.ts';
import { type Member, type SignOverrides, signedParts } from './signed.ts';

export const MIRROR = 'IRISMIRROR';
export const MEMBERS = ['iris-a', 'iris-b'] as const;
/** The world's Key Vault and the pause secret of a mirror in it (terraform/azure names it the same way). */
export const VAULT = 'mirror-vip-kv';
export const pauseSecretName = (mirror: string) => `mirror-vip-pause-${mirror.toLowerCase()}`;
export type { Member } from './signed.ts';

export interface AzureWorldOptions {
  /** What the members' pages look like and how the function reads them (default IRIS). */
  shape?: MemberShape;
  /** `ip-config` (seed 001: NIC ip-configuration + public IP) or `route` (UDR in every table). */
  mode?: 'ip-config' | 'route';
  /** Move the public IP too (ip-config mode, default true). */
  publicIp?: boolean;
  seed?: SeedOptions;
  latencyMs?: number;
  /** How long each emulated Azure-AsyncOperation stays InProgress. */
  operationDelayMs?: number;
  /** The Retry-After the emulator sends with LRO answers (Azure: 10). */
  lroRetryAfterSeconds?: number;
  pollIntervalMs?: number;
  roles?: Record<string, MemberRole>;
  deadlineMs?: number;
  confirmWindowMs?: number;
  engine?: Partial<EngineDeps>;
  /** Fields merged into the mirror's configuration (e.g. operationMs). */
  mirror?: Record<string, unknown>;
}

/** The configuration document for the seeded subscription: one VIP in the chosen mode, one key per member. */
export function azureConfigFor(members: FakeMembers, o: AzureWorldOptions = {}) {
  const tables = tableNames(o.seed?.tables ?? 2).map((name) => ({ name }));
  const vip =
    (o.mode ?? 'ip-config') === 'route'
      ? { mode: 'route', cidr: SEED.routeVip, routeTables: tables, routeName: SEED.routeName }
      : {
          mode: 'ip-config',
          privateIp: SEED.vip,
          ipConfigName: SEED.ipConfigName,
          ...((o.publicIp ?? true) ? { publicIp: { name: SEED.publicIpName } } : {}),
        };
  const member = (m: { name: string; nic: string; vm: string }) => ({
    name: m.name,
    nic: m.nic,
    vm: m.vm,
    healthUrl: members.urls[m.name],
  });
  return {
    mirrors: [
      {
        name: MIRROR,
        cloud: 'azure',
        subscriptionId: SEED.subscriptionId,
        region: SEED.location,
        resourceGroup: SEED.resourceGroup,
        members: [member(SEED.primary), member(SEED.backup)],
        vips: [vip],
        health: { enabled: true, timeoutMs: 500, confirmWindowMs: o.confirmWindowMs ?? 0 },
        keys: [
          { id: 'iris-a-k1', member: 'iris-a', secret: 'env:MIRROR_VIP_KEY_IRIS_A' },
          { id: 'iris-b-k1', member: 'iris-b', secret: 'env:MIRROR_VIP_KEY_IRIS_B' },
        ],
        deadlineMs: o.deadlineMs ?? 10_000,
        pollIntervalMs: o.pollIntervalMs ?? 10,
        // emulated LROs take milliseconds unless the world says otherwise: budget 1 s each
        operationMs: 1_000,
        ...o.mirror,
      },
    ],
  };
}

/** An emulated Azure subscription with a mirror, its members' health endpoints, and the three function handlers. */
export async function startAzureWorld(o: AzureWorldOptions = {}) {
  const route = o.mode === 'route';
  const state = new ArmState();
  seedMirrorSubscription(
    state,
    route ? { ipConfig: false, routes: true, ...o.seed } : { publicIp: o.publicIp ?? true, ...o.seed },
  );
  const emu: AzureEmulator = await startAzureEmulator({
    state,
    latencyMs: o.latencyMs ?? 0,
    operationDelayMs: o.operationDelayMs ?? 0,
    lroRetryAfterSeconds: o.lroRetryAfterSeconds ?? 10,
  });
  // the vault holding the pause secret; the function's identity may get/set that one secret, nothing else
  const vault = await startKeyVaultEmulator({
    name: VAULT,
    resourceGroupId: `/subscriptions/${SEED.subscriptionId}/resourceGroups/${SEED.resourceGroup}`,
    issuer: emu.issuer,
  });
  vault.grant(emu.identity.principalId, vault.scopeOf(pauseSecretName(MIRROR)), [GET_SECRET, SET_SECRET]);
  const members = await startFakeMembers(o.roles ?? { 'iris-a': 'primary', 'iris-b': 'backup' });
  const secrets: Record<Member, string> = {
    'iris-a': randomBytes(32).toString('base64url'),
    'iris-b': randomBytes(32).toString('base64url'),
  };
  const config = withMemberShape(azureConfigFor(members, o), o.shape ?? 'iris');
  /** What the function app's settings hold: the keys as resolved Key Vault references, the emulator's endpoints. */
  const env: Record<string, string> = {
    MIRROR_VIP_CONFIG: JSON.stringify(config),
    MIRROR_VIP_KEY_IRIS_A: secrets['iris-a'],
    MIRROR_VIP_KEY_IRIS_B: secrets['iris-b'],
    [AZURE_ENV.armEndpoint]: emu.url,
    IDENTITY_ENDPOINT: emu.identity.endpoint,
    IDENTITY_HEADER: emu.identity.header,
    NODE_EXTRA_CA_CERTS: emu.caFile,
  };
  const token = emu.issueToken();
  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const lines: Record<string, unknown>[] = [];
  const fnOptions = {
    log: (l: Record<string, unknown>) => lines.push(l),
    retry: { baseMs: 5, maxMs: 50, maxAttempts: 8 },
    ...o.engine,
  };
  /**
   * A function instance: its own engine (replay cache, queue) over the real SDK client, as a scaled-out app would have;
   * `more` adds app settings (e.g. pauseEnv()). Key Vault is reached with the managed identity, trusting the emulator.
   */
  const makeInstance = (more: Record<string, string> = {}) =>
    createAzureFunctions(
      { ...env, ...more },
      {
        ...fnOptions,
        networkApi: sdkNetworkApi(credential, SEED.subscriptionId, { endpoint: emu.url, ca: emu.ca }),
        ca: emu.ca,
      },
    );
  /** App settings that give the mirror its pause secret in the world's vault (as terraform's, plus the override). */
  const pauseEnv = (): Record<string, string> => ({
    [PAUSE_SECRETS_ENV]: JSON.stringify({ [MIRROR]: vault.secretRef(pauseSecretName(MIRROR)) }),
    [AZURE_ENV.keyVaultEndpoint]: vault.url,
  });
  /** The texts of a mirror's pause secret versions, oldest first. */
  const pauseVersions = (mirror = MIRROR) => vault.versions(pauseSecretName(mirror));
  const fns = await makeInstance();
  emu.reset();

  const signedRequest = (member: Member, so: SignOverrides = {}) => signedParts(secrets, member, so);
  /** POST to the HTTP trigger of an instance (default the first) as the host would hand it over. */
  const post = async (
    req: { body: string | Uint8Array; headers: Record<string, string> },
    method = 'POST',
    instance = fns,
  ) => {
    const out = await callAzureHttp(
      instance.mirrorVip,
      FUNCTION_NAMES.http,
      azureRequest('https://mirror-vip.azurewebsites.net/api/mirrorVip', method, req.headers, req.body),
    );
    return { status: out.status, result: out.body as FailoverResult | undefined };
  };
  /** Deliver an action group webhook (common alert schema) to the alert trigger. */
  const alert = async (body: unknown, instance = fns) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const out = await callAzureHttp(
      instance.mirrorVipAlert,
      FUNCTION_NAMES.alert,
      azureRequest(
        'https://mirror-vip.azurewebsites.net/api/mirrorVipAlert?code=k',
        'POST',
        { 'content-type': 'application/json' },
        text,
      ),
    );
    return { status: out.status, ...(out.body as { results: FailoverResult[]; ignored?: string }) };
  };
  /** Fire the timer trigger once. */
  const tick = async (instance = fns) =>
    (
      await instance.mirrorVipSchedule(
        {
          isPastDue: false,
          schedule: { adjustForDST: false },
          scheduleStatus: { last: '', next: '', lastUpdated: '' },
        },
        invocation(FUNCTION_NAMES.timer),
      )
    ).results;

  const nicOf = (m: { nic: string }) => state.nicByName(m.nic);
  const who = (has: (n: NonNullable<ReturnType<typeof nicOf>>) => boolean) =>
    [SEED.primary, SEED.backup]
      .filter((m) => {
        const n = nicOf(m);
        return n !== undefined && has(n);
      })
      .map((m) => m.name);
  /** The members whose NIC holds the private VIP (never more than one). */
  const ipConfigHolders = () => who((n) => n.ipConfigurations.some((c) => c.privateIPAddress === SEED.vip));
  /** The members whose NIC references the public IP. */
  const publicIpHolders = () =>
    who((n) => n.ipConfigurations.some((c) => c.publicIpId !== null && key(c.publicIpId) === key(PUBLIC_IP_ID)));
  /** Per route table, the member its VIP route points at (or null). */
  const routeHolders = () =>
    [...state.routeTables.values()].map((t) => {
      const hop = t.routes.get(SEED.routeName)?.nextHopIpAddress;
      return hop === SEED.primary.ip ? 'iris-a' : hop === SEED.backup.ip ? 'iris-b' : null;
    });
  const writes = () => emu.calls.filter((c) => c.write).length;
  const close = async () => {
    await members.close();
    await vault.close();
    await emu.close();
  };
  return {
    emu,
    state,
    seed: SEED,
    members,
    secrets,
    config,
    env,
    lines,
    fns,
    makeInstance,
    vault,
    pauseEnv,
    pauseVersions,
    signedRequest,
    post,
    alert,
    tick,
    ipConfigHolders,
    publicIpHolders,
    routeHolders,
    writes,
    close,
  };
}

export type AzureWorld = Awaited<ReturnType<typeof startAzureWorld>>;

export { runFailover } from './signed.ts';
