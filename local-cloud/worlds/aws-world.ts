import { randomBytes } from 'node:crypto';
import { createAwsHandler } from '../../functions/aws/app.ts';
import type { EngineDeps } from '../../shared/core/engine.ts';
import type { MemberRole } from '../../shared/core/health.ts';
import {
  type AwsEmulator,
  type SeededMirror,
  type SeedOptions,
  seedMirrorVpc,
  startAwsEmulator,
} from '../aws/index.ts';
import { EMULATOR_CREDENTIALS } from '../aws/sdk-clients.ts';
import { type FunctionUrlEvent, toFunctionUrlEvent } from '../lambda-url.ts';
import { type MemberShape, withMemberShape } from '../member-pages.ts';
import { type FakeMembers, startFakeMembers } from '../members.ts';
import { type Member, type SignOverrides, signedParts } from './signed.ts';

export interface AwsWorldOptions {
  /** What the members' pages look like and how the function reads them (default IRIS). */
  shape?: MemberShape;
  seed?: SeedOptions;
  latencyMs?: number;
  roles?: Record<string, MemberRole>;
  /** Add an eip VIP next to the route VIP (default true). */
  eip?: boolean;
  /** Publish outcomes to an SNS topic (default true). */
  topic?: boolean;
  deadlineMs?: number;
  /** How long a claimant may take to answer primary (default 0 here: tests that need it say so). */
  confirmWindowMs?: number;
  engine?: Partial<EngineDeps>;
}

export const MIRROR = 'IRISMIRROR';
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:mirror-vip-outcomes';

/** The environment that points AWS SDK clients at the emulator, as a deployed bundle reads it. */
export function emulatorEnv(emu: { url: string }): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: emu.url,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Point every AWS SDK client in this process at the emulator. */
export function useEmulatorEnv(emu: { url: string }): void {
  Object.assign(process.env, emulatorEnv(emu));
}

/** The configuration document for a seeded VPC: route VIP in every table (+ EIP), one key per member. */
export function awsConfigFor(seeded: SeededMirror, members: FakeMembers, opts: AwsWorldOptions = {}) {
  const vips: Record<string, unknown>[] = [
    { mode: 'route', cidr: seeded.vipCidr, routeTableIds: seeded.routeTableIds },
  ];
  if (opts.eip ?? true) vips.push({ mode: 'eip', allocationId: seeded.allocationId });
  return {
    mirrors: [
      {
        name: MIRROR,
        cloud: 'aws',
        region: 'us-east-1',
        members: (['iris-a', 'iris-b'] as const).map((name) => ({
          name,
          instanceId: seeded.members[name].instanceId,
          eniId: seeded.members[name].networkInterfaceId,
          healthUrl: members.urls[name],
        })),
        vips,
        health: { enabled: true, timeoutMs: 500, confirmWindowMs: opts.confirmWindowMs ?? 0 },
        keys: [
          { id: 'iris-a-k1', member: 'iris-a', secret: 'env:MIRROR_VIP_KEY_IRIS_A' },
          { id: 'iris-b-k1', member: 'iris-b', secret: 'ssm:/mirror-vip/IRISMIRROR/iris-b-k1' },
        ],
      },
    ],
    deadlineMs: opts.deadlineMs ?? 10_000,
    ...((opts.topic ?? true) ? { notify: { topicArn: TOPIC_ARN } } : {}),
  };
}

/** An emulated AWS account with a mirror in it, its members' health endpoints, and the Lambda handler built on them. */
export async function startAwsWorld(opts: AwsWorldOptions = {}) {
  const emu: AwsEmulator = await startAwsEmulator({ latencyMs: opts.latencyMs ?? 0 });
  const seeded = seedMirrorVpc(emu.state, opts.seed);
  const members = await startFakeMembers(opts.roles ?? { 'iris-a': 'primary', 'iris-b': 'backup' });
  const secrets = { 'iris-a': randomBytes(32).toString('base64url'), 'iris-b': randomBytes(32).toString('base64url') };
  emu.state.ssm.parameters.set('/mirror-vip/IRISMIRROR/iris-b-k1', secrets['iris-b']);
  emu.state.sns.topics.add(TOPIC_ARN);
  useEmulatorEnv(emu);
  const config = withMemberShape(awsConfigFor(seeded, members, opts), opts.shape ?? 'iris');
  const env = { MIRROR_VIP_CONFIG: JSON.stringify(config), MIRROR_VIP_KEY_IRIS_A: secrets['iris-a'] };
  const lines: Record<string, unknown>[] = [];
  const handler = await createAwsHandler(env, {
    log: (l) => lines.push(l),
    retry: { baseMs: 5, maxMs: 50, maxAttempts: 8 },
    ...opts.engine,
  });
  emu.reset();

  /** A function URL request carrying a signed event from `member` (override anything to forge). */
  const signedRequest = (member: Member, o: SignOverrides = {}): FunctionUrlEvent => {
    const { body, headers } = signedParts(secrets, member, o);
    return functionUrlEvent(body, headers);
  };

  const enis = {
    [seeded.members['iris-a'].networkInterfaceId]: 'iris-a',
    [seeded.members['iris-b'].networkInterfaceId]: 'iris-b',
  };
  /** Which member each route table's VIP route points at (or the raw target / "missing"). */
  const routeHolders = () =>
    seeded.routeTableIds.map((id) => {
      const r = emu.state.routeTables.get(id)?.routes.find((x) => x.destinationCidrBlock === seeded.vipCidr);
      const eni = r?.networkInterfaceId;
      return eni ? (enis[eni] ?? eni) : 'missing';
    });
  const eipHolder = () => {
    const eni = emu.state.addresses.get(seeded.allocationId)?.association?.networkInterfaceId;
    return eni ? (enis[eni] ?? eni) : 'none';
  };
  const writes = () => emu.calls.filter((c) => c.write && c.service === 'ec2').length;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await members.close();
    await emu.close();
  };
  return {
    emu,
    seeded,
    members,
    secrets,
    config,
    env,
    /** Everything a separate process (the bundled handler) needs: the configuration, a key and the emulator. */
    bundleEnv: { ...env, ...emulatorEnv(emu) },
    handler,
    lines,
    signedRequest,
    routeHolders,
    eipHolder,
    writes,
    close,
  };
}

export type AwsWorld = Awaited<ReturnType<typeof startAwsWorld>>;

/** A payload-2.0 function URL event with this body and headers, as the real service builds it. */
export function functionUrlEvent(body: string, headers: Record<string, string>): FunctionUrlEvent {
  const fake = {
    url: '/',
    method: 'POST',
    headers: { 'content-type': 'application/json', ...lower(headers) },
    socket: { remoteAddress: '10.109.10.70' },
  };
  return toFunctionUrlEvent(fake as never, Buffer.from(body, 'utf8'));
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
