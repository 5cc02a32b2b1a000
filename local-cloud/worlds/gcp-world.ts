import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cloudEvent, http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { createGcpFunctions, FUNCTION_NAMES } from '../../functions/gcp/app.ts';
import { PAUSE_SECRETS_ENV } from '../../shared/config/paused.ts';
import type { CheckReport } from '../../shared/core/check.ts';
import type { EngineDeps } from '../../shared/core/engine.ts';
import type { MemberRole } from '../../shared/core/health.ts';
import type { FailoverResult } from '../../shared/core/result.ts';
import { GCP_ENV } from '../../shared/providers/gcp/endpoint.ts';
import {
  ComputeState,
  type GcpEmulator,
  MIRROR as SEED,
  type SeedOptions,
  seedMirrorProject,
  startGcpEmulator,
} from '../gcp/index.ts';
import { startSecretManagerEmulator } from '../gcp/secret-manager.ts';
import { type MemberShape, withMemberShape } from '../member-pages.ts';
import { type FakeMembers, startFakeMembers } from '../members.ts';
import { type Member, type SignOverrides, signedParts } from './signed.ts';

export const MIRROR = 'IRISMIRROR';
export const MEMBERS = ['iris-a', 'iris-b'] as const;
export type { Member } from './signed.ts';
export const SECRET_NAME = `projects/${SEED.project}/secrets/mirror-vip-iris-b-k1/versions/latest`;
/** The pause secret of a mirror, named as terraform/gcp names it (`<function_name>-pause-<mirror>`). */
export const pauseSecretName = (mirror = MIRROR) => `projects/${SEED.project}/secrets/mirror-vip-pause-${mirror}`;

export interface GcpWorldOptions {
  /** What the members' pages look like and how the function reads them (default IRIS). */
  shape?: MemberShape;
  /** `alias-ip` (seed 000: alias range + access config) or `route` (static route, make before break). */
  mode?: 'alias-ip' | 'route';
  /** Move the public VIP too (alias-ip mode, default true). */
  accessConfig?: boolean;
  seed?: SeedOptions;
  latencyMs?: number;
  /** How long each emulated operation stays RUNNING before DONE. */
  operationDelayMs?: number;
  /** Per-method operation durations (e.g. REALISTIC_OPERATION_MS from local-cloud/gcp). */
  operationDelayByOp?: Record<string, number>;
  /** Fields merged into the VIP's configuration (e.g. subnetworkRangeName, accessConfig.networkTier). */
  vip?: Record<string, unknown>;
  /** Fields merged into the mirror's configuration (e.g. deadlineMs, operationMs). */
  mirror?: Record<string, unknown>;
  roles?: Record<string, MemberRole>;
  deadlineMs?: number;
  confirmWindowMs?: number;
  engine?: Partial<EngineDeps>;
}

/** The configuration document for the seeded project: one VIP in the chosen mode, one key per member. */
export function gcpConfigFor(members: FakeMembers, opts: GcpWorldOptions = {}) {
  const vip =
    (opts.mode ?? 'alias-ip') === 'route'
      ? { mode: 'route', cidr: SEED.routeVip, network: SEED.network, priority: 1000 }
      : {
          mode: 'alias-ip',
          cidr: SEED.vip,
          ...((opts.accessConfig ?? true)
            ? { accessConfig: { name: SEED.accessConfigName, natIP: SEED.externalIp } }
            : {}),
        };
  const member = (m: { name: string; zone: string }) => ({
    name: m.name,
    instance: m.name,
    zone: m.zone,
    healthUrl: members.urls[m.name],
  });
  return {
    mirrors: [
      {
        name: MIRROR,
        cloud: 'gcp',
        project: SEED.project,
        members: [member(SEED.primary), member(SEED.backup)],
        vips: [{ ...vip, ...opts.vip }],
        health: { enabled: true, timeoutMs: 500, confirmWindowMs: opts.confirmWindowMs ?? 0 },
        keys: [
          { id: 'iris-a-k1', member: 'iris-a', secret: 'env:MIRROR_VIP_KEY_IRIS_A' },
          { id: 'iris-b-k1', member: 'iris-b', secret: `gcp-sm:${SECRET_NAME}` },
        ],
        // emulated operations take milliseconds unless the world says otherwise: budget 1 s each
        operationMs: 1_000,
        ...opts.mirror,
      },
    ],
    deadlineMs: opts.deadlineMs ?? 10_000,
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An emulated GCP project with a mirror in it, its members' health endpoints, and both functions served over HTTP. */
export async function startGcpWorld(opts: GcpWorldOptions = {}) {
  const route = opts.mode === 'route';
  const state = new ComputeState();
  seedMirrorProject(state, route ? { alias: false, accessConfig: false, route: true, ...opts.seed } : opts.seed);
  const emu: GcpEmulator = await startGcpEmulator({
    state,
    latencyMs: opts.latencyMs ?? 0,
    operationDelayMs: opts.operationDelayMs ?? 0,
    ...(opts.operationDelayByOp ? { operationDelayByOp: opts.operationDelayByOp } : {}),
  });
  const members = await startFakeMembers(opts.roles ?? { 'iris-a': 'primary', 'iris-b': 'backup' });
  const secrets: Record<Member, string> = {
    'iris-a': randomBytes(32).toString('base64url'),
    'iris-b': randomBytes(32).toString('base64url'),
  };
  const secretManager = await startSecretManagerEmulator();
  const keySecret = SECRET_NAME.replace(/\/versions\/latest$/, '');
  secretManager.createSecret(keySecret);
  secretManager.addVersion(keySecret, secrets['iris-b']);
  // the pause secret exists with no version, as terraform creates it; only pauseEnv() tells a function about it
  secretManager.createSecret(pauseSecretName());
  const config = withMemberShape(gcpConfigFor(members, opts), opts.shape ?? 'iris');
  const env = {
    MIRROR_VIP_CONFIG: JSON.stringify(config),
    MIRROR_VIP_KEY_IRIS_A: secrets['iris-a'],
    [GCP_ENV.computeEndpoint]: emu.url,
    [GCP_ENV.secretsEndpoint]: secretManager.url,
  };
  const lines: Record<string, unknown>[] = [];
  const fns = await createGcpFunctions(env, {
    log: (l) => lines.push(l),
    retry: { baseMs: 5, maxMs: 50, maxAttempts: 8 },
    ...opts.engine,
  });
  // the same registration as functions/gcp/index.ts, served by the framework's own test server
  http(FUNCTION_NAMES.http, fns.mirrorVip);
  cloudEvent(FUNCTION_NAMES.events, fns.mirrorVipEvents);
  const httpServer = getTestServer(FUNCTION_NAMES.http);
  const eventServer = getTestServer(FUNCTION_NAMES.events);
  const urls = { http: await listen(httpServer), events: await listen(eventServer) };
  emu.reset();

  /** A signed became-primary request from `member` (override anything to forge). */
  const signedRequest = (member: Member, o: SignOverrides = {}) => signedParts(secrets, member, o);

  /** POST a request to the HTTP function; `result` is undefined when the answer is not JSON (the framework's own 400). */
  const post = async (req: { body: string | Uint8Array; headers: Record<string, string> }, method = 'POST') => {
    const res = await fetch(urls.http, {
      method,
      headers: req.headers,
      body: method === 'GET' ? undefined : (req.body as BodyInit),
    });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, result: (json ? JSON.parse(text) : undefined) as FailoverResult | undefined, text };
  };
  /** Deliver a Pub/Sub message to the event function as Eventarc does (binary CloudEvent, base64 message data). */
  const publish = async (message: unknown, o: { structured?: boolean; rawData?: string } = {}) => {
    const data = {
      message: {
        data: o.rawData ?? Buffer.from(JSON.stringify(message)).toString('base64'),
        messageId: randomUUID(),
        publishTime: new Date().toISOString(),
      },
      subscription: 'projects/demo-project/subscriptions/eventarc-mirror-vip',
    };
    const ce = {
      id: randomUUID(),
      source: '//pubsub.googleapis.com/projects/demo-project/topics/mirror-vip',
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      specversion: '1.0',
    };
    const res = o.structured
      ? await fetch(urls.events, {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents+json' },
          body: JSON.stringify({ ...ce, datacontenttype: 'application/json', data }),
        })
      : await fetch(urls.events, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...Object.fromEntries(Object.entries(ce).map(([k, v]) => [`ce-${k}`, v])),
          },
          body: JSON.stringify(data),
        });
    const text = await res.text();
    const body = text ? (JSON.parse(text) as { results?: FailoverResult[]; check?: CheckReport }) : {};
    return { status: res.status, results: body.results ?? [], check: body.check };
  };

  const nic = (m: { name: string; zone: string }) => state.instance(m.zone, m.name)?.networkInterfaces[0];
  const who = (has: (n: NonNullable<ReturnType<typeof nic>>) => boolean) =>
    [SEED.primary, SEED.backup]
      .filter((m) => {
        const n = nic(m);
        return n !== undefined && has(n);
      })
      .map((m) => m.name);
  /** The members whose nic0 holds the VIP alias range (never more than one). */
  const aliasHolders = () => who((n) => n.aliasIpRanges.some((r) => r.ipCidrRange === SEED.vip));
  /** The members whose nic0 holds the static external address. */
  const accessConfigHolders = () => who((n) => n.accessConfigs.some((a) => a.natIP === SEED.externalIp));
  /** The VIP's routes: name, next-hop member and priority. */
  const routes = () =>
    [...state.routes.values()]
      .filter((r) => r.destRange === SEED.routeVip)
      .map((r) => ({ name: r.name, to: r.nextHopInstance?.split('/').pop() ?? '?', priority: r.priority }));
  const writes = () => emu.calls.filter((c) => c.write).length;
  /** What a function's environment adds to keep its pause in the emulated Secret Manager (IRISMIRROR's secret). */
  const pauseEnv = (): Record<string, string> => ({
    [PAUSE_SECRETS_ENV]: JSON.stringify({ [MIRROR]: pauseSecretName() }),
    [GCP_ENV.secretsEndpoint]: secretManager.url,
  });
  /** The texts of a mirror's pause secret versions, oldest first. */
  const pauseVersions = (mirror = MIRROR) => secretManager.versions(pauseSecretName(mirror));
  const close = async () => {
    await Promise.all([
      new Promise((r) => httpServer.close(r)),
      new Promise((r) => eventServer.close(r)),
      members.close(),
      secretManager.close(),
    ]);
    await emu.close();
  };
  return {
    emu,
    state,
    seed: SEED,
    members,
    secrets,
    secretManager,
    config,
    env,
    lines,
    urls,
    signedRequest,
    post,
    publish,
    aliasHolders,
    accessConfigHolders,
    routes,
    writes,
    pauseEnv,
    pauseVersions,
    close,
  };
}

export type GcpWorld = Awaited<ReturnType<typeof startGcpWorld>>;

export { runFailover } from './signed.ts';
