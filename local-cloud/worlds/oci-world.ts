import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fdk from '@fnproject/fdk';
import { createOciFunction } from '../../functions/oci/app.ts';
import type { OciRuntimeExtra } from '../../functions/oci/oci-runtime.ts';
import { PAUSE_SECRETS_ENV } from '../../shared/config/paused.ts';
import type { CheckReport } from '../../shared/core/check.ts';
import type { MemberRole } from '../../shared/core/health.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { OCI_ENV } from '../../shared/providers/oci/endpoint.ts';
import { type MemberShape, withMemberShape } from '../member-pages.ts';
import { type FakeMembers, startFakeMembers } from '../members.ts';
import { invokeDirect, socketReady, viaGateway } from '../oci/fn-invoke.ts';
import {
  type OciEmulator,
  type OciSeedOptions,
  OciState,
  MIRROR as SEED,
  seedMirrorTenancy,
  startOciEmulator,
  testKeyPair,
} from '../oci/index.ts';
import { type Member, type SignOverrides, signedParts } from './signed.ts';

export const MIRROR = 'IRISMIRROR';
export const MEMBERS = ['iris-a', 'iris-b'] as const;
export type { Member } from './signed.ts';

export interface OciWorldOptions {
  /** What the members' pages look like and how the function reads them (default IRIS). */
  shape?: MemberShape;
  /** `private-ip` (seed 004: secondary private IP + reserved public IP), `route` (route rules), or both VIPs. */
  mode?: 'private-ip' | 'route' | 'both';
  /** Move the reserved public IP with the private IP (default true). */
  publicIp?: boolean;
  /** Name the VIP's private IP by its OCID too (`privateIpId`: read with GetPrivateIp, etag included), not only by address. */
  privateIpById?: boolean;
  seed?: OciSeedOptions;
  latencyMs?: number;
  /** How long the public IP stays ASSIGNING. */
  assigningMs?: number;
  roles?: Record<string, MemberRole>;
  deadlineMs?: number;
  confirmWindowMs?: number;
  engine?: OciRuntimeExtra;
  /** The function's API signing key pair (default a fresh one; generating it blocks the event loop a while). */
  key?: ReturnType<typeof testKeyPair>;
}

/** The configuration document for the seeded tenancy: the chosen VIPs, one key per member (iris-b's in Vault). */
export function ociConfigFor(members: FakeMembers, opts: OciWorldOptions = {}) {
  const mode = opts.mode ?? 'private-ip';
  const privateIp = {
    mode: 'private-ip',
    address: SEED.vip,
    subnetId: SEED.subnetId,
    ...(opts.privateIpById ? { privateIpId: SEED.privateIpId } : {}),
    ...((opts.publicIp ?? true) ? { publicIpId: SEED.publicIpId } : {}),
  };
  const route = { mode: 'route', cidr: SEED.routeVip, routeTableIds: [...SEED.routeTableIds] };
  const vips = mode === 'both' ? [privateIp, route] : mode === 'route' ? [route] : [privateIp];
  const member = (m: typeof SEED.primary | typeof SEED.backup) => ({
    name: m.name,
    healthUrl: members.urls[m.name],
    vnicId: m.vnicId,
    privateIpId: m.privateIpId,
    instanceId: m.instanceId,
  });
  return {
    mirrors: [
      {
        name: MIRROR,
        cloud: 'oci',
        region: SEED.region,
        members: [member(SEED.primary), member(SEED.backup)],
        vips,
        health: { enabled: true, timeoutMs: 500, confirmWindowMs: opts.confirmWindowMs ?? 0 },
        keys: [
          { id: 'iris-a-k1', member: 'iris-a', secret: 'env:MIRROR_VIP_KEY_IRIS_A' },
          { id: 'iris-b-k1', member: 'iris-b', secret: `oci-vault:${SEED.secretId}` },
        ],
        deadlineMs: opts.deadlineMs ?? 10_000,
      },
    ],
  };
}

/** One function instance served by the real FDK on its own unix socket (FN_LISTENER, FN_FORMAT=http-stream). */
async function serveInstance(env: Record<string, string>, dir: string, n: number, extra: OciRuntimeExtra) {
  const handler = await createOciFunction(env, extra);
  const socket = join(dir, `fn-${n}.sock`);
  const saved = { format: process.env.FN_FORMAT, listener: process.env.FN_LISTENER };
  process.env.FN_FORMAT = 'http-stream';
  process.env.FN_LISTENER = `unix:${socket}`;
  const stop = fdk.handle(handler, { inputMode: 'buffer' });
  process.env.FN_FORMAT = saved.format;
  process.env.FN_LISTENER = saved.listener;
  if (saved.format === undefined) delete process.env.FN_FORMAT;
  if (saved.listener === undefined) delete process.env.FN_LISTENER;
  await socketReady(socket);
  return { socket, stop };
}

/**
 * An emulated OCI tenancy with a mirror, its members' health endpoints, and the function served as Fn serves it.
 * Shaped like the GCP world for the race suite: `latencyMs`, `startInstance()` (another instance with its own cold
 * start and socket; `post(req, 'POST', instance)`), `members.set`, `bindings()`, `writes()`.
 */
export async function startOciWorld(opts: OciWorldOptions = {}) {
  const key = opts.key ?? testKeyPair();
  const dir = mkdtempSync(join(tmpdir(), 'mirror-vip-oci-'));
  const keyFile = join(dir, 'function-key.pem');
  writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
  const state = new OciState();
  seedMirrorTenancy(state, opts.seed);
  const secrets: Record<Member, string> = {
    'iris-a': randomBytes(32).toString('base64url'),
    'iris-b': randomBytes(32).toString('base64url'),
  };
  const emu: OciEmulator = await startOciEmulator({
    state,
    keys: { [key.keyId]: key.publicKey },
    latencyMs: opts.latencyMs ?? 0,
    assigningMs: opts.assigningMs ?? 0,
    secrets: {
      [SEED.secretId]: secrets['iris-b'],
      // what terraform/oci stores in a new pause secret (vault.tf)
      [SEED.pauseSecretId]: JSON.stringify({ paused: false, by: 'terraform', since: new Date().toISOString() }),
    },
  });
  const members = await startFakeMembers(opts.roles ?? { 'iris-a': 'primary', 'iris-b': 'backup' });
  const config = withMemberShape(ociConfigFor(members, opts), opts.shape ?? 'iris');
  const env: Record<string, string> = {
    MIRROR_VIP_CONFIG: JSON.stringify(config),
    MIRROR_VIP_KEY_IRIS_A: secrets['iris-a'],
    [OCI_ENV.endpoint]: emu.url,
    [OCI_ENV.secretsEndpoint]: emu.url,
    [OCI_ENV.vaultEndpoint]: emu.url,
    [OCI_ENV.keyId]: key.keyId,
    [OCI_ENV.keyFile]: keyFile,
  };
  const lines: Record<string, unknown>[] = [];
  const instances: { socket: string; stop: () => void }[] = [];
  /** Start another function instance (its own cold start, engine and socket): the platform runs several. */
  const startInstance = async (extra: OciRuntimeExtra = {}) => {
    const i = await serveInstance(env, dir, instances.length, {
      log: (l) => lines.push(l),
      retry: { baseMs: 5, maxMs: 50, maxAttempts: 8 },
      pollMs: 5,
      ...opts.engine,
      ...extra,
    });
    instances.push(i);
    return i;
  };
  const first = await startInstance();
  emu.reset();

  const signedRequest = (member: Member, o: SignOverrides = {}) => signedParts(secrets, member, o);
  const parse = (r: { status: number; text: string; headers: Record<string, unknown> }) => {
    const json = String(r.headers['content-type'] ?? '').includes('json');
    let result: unknown;
    try {
      result = json ? JSON.parse(r.text) : undefined;
    } catch {
      result = undefined;
    }
    return { status: r.status, text: r.text, result };
  };
  /** A request through the API Gateway deployment to an instance (the first by default). */
  const post = async (
    req: { body: string | Uint8Array; headers: Record<string, string> },
    method = 'POST',
    to = first,
  ) => {
    const r = parse(await viaGateway(to.socket, req, method));
    return { ...r, result: r.result as FailoverResult | undefined };
  };
  /** A Notifications or schedule invocation: the message as the body. */
  const invoke = async (message: unknown, to = first) => {
    const r = parse(await invokeDirect(to.socket, typeof message === 'string' ? message : JSON.stringify(message)));
    const body = r.result as { results?: FailoverResult[]; check?: CheckReport | null } | undefined;
    return { status: r.status, results: body?.results ?? [], check: body?.check ?? undefined };
  };

  const vnicOwner = (vnicId: string | null) =>
    [SEED.primary, SEED.backup].find((m) => m.vnicId === vnicId)?.name ?? vnicId;
  /** The member whose VNIC holds the VIP's secondary private IP. */
  const privateIpHolder = () => vnicOwner(state.privateIp(SEED.privateIpId).vnicId);
  /** The reserved public IP: its state and the member whose private IP it is on. */
  const publicIp = () => {
    const p = state.publicIp(SEED.publicIpId);
    const on = p.privateIpId === SEED.privateIpId ? privateIpHolder() : p.privateIpId;
    return { state: p.lifecycleState, on };
  };
  /** Where each route table's VIP rule points (member name). */
  const routes = () =>
    SEED.routeTableIds.map((id) => {
      const rule = state.routeTable(id).routeRules.find((r) => r.destination === SEED.routeVip);
      return [SEED.primary, SEED.backup].find((m) => m.privateIpId === rule?.networkEntityId)?.name ?? null;
    });
  /** Every binding at once, for a race checker: the private IP holder, the public IP and each route table. */
  const bindings = () => ({ privateIp: privateIpHolder(), publicIp: publicIp(), routes: routes() });
  /** Write calls the emulator received, refused ones included (as the other worlds count them). */
  const writes = () => emu.calls.filter((c) => c.write).length;
  /** Function config that gives the seeded mirror its pause secret on this emulator (terraform's function config). */
  const pauseEnv = (): Record<string, string> => ({
    [PAUSE_SECRETS_ENV]: JSON.stringify({ [MIRROR]: SEED.pauseSecretId }),
    [OCI_ENV.vaultEndpoint]: emu.url,
  });
  /** The texts of a mirror's pause secret versions, oldest first. */
  const pauseVersions = (mirror = MIRROR): string[] =>
    mirror === MIRROR ? emu.secrets.versions(SEED.pauseSecretId) : [];
  const close = async () => {
    for (const i of instances) i.stop();
    await Promise.all([members.close(), emu.close()]);
    rmSync(dir, { recursive: true, force: true });
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
    instances,
    startInstance,
    signedRequest,
    post,
    invoke,
    privateIpHolder,
    publicIp,
    routes,
    bindings,
    writes,
    pauseEnv,
    pauseVersions,
    close,
  };
}

export type OciWorld = Awaited<ReturnType<typeof startOciWorld>>;

export { runFailover } from './signed.ts';
