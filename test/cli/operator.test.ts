import { randomUUID } from 'node:crypto';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsHandler } from '../../functions/aws/app.ts';
import { serveFunctionUrl } from '../../local-cloud/lambda-url.ts';
import { type AwsWorld, MIRROR, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import { signedParts } from '../../local-cloud/worlds/signed.ts';
import { type OperatorAction, operatorRequest } from '../../shared/protocol/operator.ts';
import { ROLE_CREDS, startAwsIamFront } from '../support/aws-iam-front.ts';
import { runCli } from '../support/cli.ts';
import { startMoto } from '../support/moto.ts';
import { operatorKeyFiles, randomSecret } from '../support/operator-keys.ts';

let world: AwsWorld;
let moto: Awaited<ReturnType<typeof startMoto>>;
const fns: Awaited<ReturnType<typeof serveFunctionUrl>>[] = [];
const { keyFile: file, operatorSecret } = operatorKeyFiles('operator');
let operatorKey: string;
const lines: Record<string, unknown>[] = [];
let memberKey: string;
let wrongKey: string;
let fnEnv: Record<string, string>;

beforeAll(async () => {
  world = await startAwsWorld();
  moto = await startMoto();
  // Pauses live in SSM Parameter Store (moto); EC2 stays on the project's emulator.
  process.env.AWS_ENDPOINT_URL_SSM = moto.url;
  const base = world.config.mirrors[0] as Record<string, unknown>;
  const config = {
    ...world.config,
    mirrors: [
      {
        ...base,
        // a loaded machine must not turn a slow probe answer into "down"
        health: { ...(base.health as object), timeoutMs: 5000 },
        keys: [
          { id: 'iris-a-k1', member: 'iris-a', secret: 'env:MIRROR_VIP_KEY_IRIS_A' },
          { id: 'iris-b-k1', member: 'iris-b', secret: 'env:MIRROR_VIP_KEY_IRIS_B' },
        ],
      },
    ],
    operatorKeys: [{ id: 'ops-2026', secret: 'env:MIRROR_VIP_OPERATOR_KEY' }],
  };
  const env = {
    MIRROR_VIP_CONFIG: JSON.stringify(config),
    MIRROR_VIP_KEY_IRIS_A: world.secrets['iris-a'],
    MIRROR_VIP_KEY_IRIS_B: world.secrets['iris-b'],
    MIRROR_VIP_OPERATOR_KEY: operatorSecret,
    AWS_REGION: 'us-east-1',
  };
  // moto loads its SSM backend on the first call, which can take seconds: warm it before the functions use it.
  await new SSMClient({ region: 'us-east-1' })
    .send(new GetParameterCommand({ Name: '/warm-up' }))
    .catch(() => undefined);
  fnEnv = env;
  // Two function instances: a pause set through one must hold in the other.
  for (let i = 0; i < 2; i++)
    fns.push(await serveFunctionUrl(await createAwsHandler(env, { log: (l) => lines.push(l) })));
  operatorKey = file('ops.key', operatorSecret);
  memberKey = file('iris-a.key', world.secrets['iris-a']);
  wrongKey = file('wrong.key', randomSecret());
}, 60_000);
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_SSM;
  for (const f of fns) await f.close();
  await moto.close();
  await world.close();
});
beforeEach(() => world.emu.reset());

const op = (instance: number, action: string, keyId = 'ops-2026', keyFile = operatorKey, extra: string[] = []) =>
  runCli(
    [
      action,
      '--url',
      fns[instance]?.url ?? '',
      '--mirror',
      MIRROR,
      '--key-id',
      keyId,
      '--key-file',
      keyFile,
      '--json',
      ...extra,
    ],
    {},
  );
const ec2Writes = () => world.emu.calls.filter((c) => c.service === 'ec2' && c.write).length;

describe('operating through the function with an operator key', () => {
  it('inspect shows the bindings and probes as the function sees them, and writes nothing', async () => {
    world.members.set('iris-a', 'primary');
    world.members.set('iris-b', 'backup');
    const r = await op(0, 'inspect');
    expect(r.stderr, JSON.stringify(lines.filter((l) => l.level === 'error' || l.code))).toBe('');
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(a).toMatchObject({
      ok: true,
      action: 'inspect',
      holder: 'iris-a',
      paused: null,
      probes: { 'iris-a': { role: 'primary' }, 'iris-b': { role: 'backup' } },
    });
    expect(a.bindings).toHaveLength(3);
    expect(ec2Writes()).toBe(0);
  });

  it.each([
    ["a member's key", 'iris-a-k1', () => memberKey, 'not_an_operator_key'],
    ['the operator key id with a wrong secret', 'ops-2026', () => wrongKey, 'bad_signature'],
  ])(
    'is refused with %s (exit 1), for every action, and nothing moves',
    async (_n, keyId, key, code) => {
      world.members.set('iris-a', 'down');
      world.members.set('iris-b', 'primary');
      for (const action of ['inspect', 'reconcile', 'pause', 'resume']) {
        const r = await op(0, action, keyId, key());
        expect({ action, code: r.code }).toEqual({ action, code: 1 });
        expect(r.stderr).toContain(code);
      }
      expect(ec2Writes()).toBe(0);
      expect(world.routeHolders()).toEqual(['iris-a', 'iris-a']);
    },
    90_000,
  );

  it("a member's signed event sent to /operator is refused", async () => {
    const { body, headers } = signedParts(world.secrets, 'iris-b');
    const res = await fetch(`${fns[0]?.url}operator`, { method: 'POST', headers, body });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('not_an_operator_key');
  });

  it('pause through one instance holds in the other: events and reconciles answer paused; resume, then reconcile moves', async () => {
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const paused = await op(0, 'pause', 'ops-2026', operatorKey, ['--reason', 'kernel patching']);
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ paused: { by: 'ops-2026', reason: 'kernel patching' } });
    const { body, headers } = signedParts(world.secrets, 'iris-b');
    const event = await fetch(fns[1]?.url ?? '', { method: 'POST', headers, body });
    expect(await event.json()).toMatchObject({ ok: true, outcome: 'paused' });
    const reconcile = await op(1, 'reconcile');
    expect(JSON.parse(reconcile.stdout)).toMatchObject({ ok: true, result: { outcome: 'paused' } });
    const seen = await op(1, 'inspect');
    expect(JSON.parse(seen.stdout).paused).toMatchObject({ by: 'ops-2026' });
    expect(ec2Writes()).toBe(0);
    expect((await op(1, 'resume')).code).toBe(0);
    const moved = await op(0, 'reconcile');
    expect(moved.code).toBe(0);
    expect(JSON.parse(moved.stdout)).toMatchObject({ ok: true, result: { outcome: 'moved', to: 'iris-b' } });
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
  }, 90_000);
});

describe('operating a function URL with AuthType AWS_IAM', () => {
  const creds = {
    AWS_ACCESS_KEY_ID: ROLE_CREDS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ROLE_CREDS.secretAccessKey,
    AWS_SESSION_TOKEN: ROLE_CREDS.sessionToken,
    AWS_REGION: 'us-east-1',
  };
  const viaFront = (url: string, extra: string[], env: Record<string, string | undefined>) =>
    runCli(
      [
        'inspect',
        '--url',
        url,
        '--mirror',
        MIRROR,
        '--key-id',
        'ops-2026',
        '--key-file',
        operatorKey,
        '--json',
        ...extra,
      ],
      env,
    );

  it("--aws-iam signs with SigV4 from the operator's credentials; the front verifies it and inspect answers", async () => {
    const front = await startAwsIamFront(fns[0]?.url ?? '');
    try {
      world.members.set('iris-a', 'primary');
      world.members.set('iris-b', 'backup');
      const r = await viaFront(front.url, ['--aws-iam', '--cloud', 'aws'], creds);
      expect(front.seen.refused).toEqual([]);
      expect(r.code, r.stderr).toBe(0);
      const a = JSON.parse(r.stdout);
      expect(a).toMatchObject({ ok: true, action: 'inspect', probes: { 'iris-a': { role: 'primary' } } });
      expect(a.bindings).toHaveLength(3);
      expect(front.seen.accepted).toBe(1);
      expect(ec2Writes()).toBe(0);
    } finally {
      await front.close();
    }
  });

  it('without --aws-iam, or with another identity, the front refuses (exit 1, 403) and nothing reaches the function', async () => {
    const front = await startAwsIamFront(fns[0]?.url ?? '');
    try {
      const plain = await viaFront(front.url, [], creds);
      expect(plain.code).toBe(1);
      expect(plain.stderr).toContain('HTTP 403');
      const other = await viaFront(front.url, ['--aws-iam'], {
        ...creds,
        AWS_ACCESS_KEY_ID: 'AKIAOTHERIDENTITY001',
        AWS_SESSION_TOKEN: undefined,
      });
      expect(other.code).toBe(1);
      expect(front.seen.refused).toEqual(['missing or malformed SigV4 Authorization', 'unknown credential or region']);
      expect(front.seen.accepted).toBe(0);
    } finally {
      await front.close();
    }
  });

  it('--aws-iam with half the credentials, or for another cloud, is a usage error (exit 2) that sends nothing', async () => {
    const half = await viaFront('http://127.0.0.1:9/', ['--aws-iam'], {
      AWS_ACCESS_KEY_ID: 'AKIAONLYHALF00000001',
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_REGION: 'us-east-1',
    });
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together');
    const gcp = await viaFront('http://127.0.0.1:9/', ['--aws-iam', '--cloud', 'gcp'], creds);
    expect(gcp.code).toBe(2);
    expect(gcp.stderr).toContain('--aws-iam is for an AWS function URL');
  });
});

/** A signed operator request as the CLI sends it, kept so that it can be sent again (a replay). */
const captured = (action: OperatorAction, generation?: number) =>
  operatorRequest(
    { requestId: randomUUID(), action, mirror: MIRROR, ...(generation === undefined ? {} : { generation }) },
    'ops-2026',
    operatorSecret,
  );
const post = async (url: string, req: { body: string; headers: Record<string, string> }) => {
  const res = await fetch(`${url}operator`, { method: 'POST', headers: req.headers, body: req.body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const generationAt = async (url: string) => (await post(url, captured('inspect'))).body.generation as number;
const event = async (url: string, member: 'iris-a' | 'iris-b') => {
  const { body, headers } = signedParts(world.secrets, member);
  const res = await fetch(url, { method: 'POST', headers, body });
  return (await res.json()) as Record<string, unknown>;
};
const ssm = () => new SSMClient({ region: 'us-east-1' });
/** Make the member that does not hold the VIP the sole primary: the next event of it must move the VIP. */
const flip = (): 'iris-a' | 'iris-b' => {
  const from = world.routeHolders()[0] as 'iris-a' | 'iris-b';
  const to = from === 'iris-a' ? 'iris-b' : 'iris-a';
  world.members.set(from, 'down');
  world.members.set(to, 'primary');
  return to;
};

describe('the AWS pause parameter: only a well-formed pause record pauses', () => {
  it.each(['true', 'false', '0', '[]', '{}', '{"paused":false}', '{"paused":true}', 'not json'])(
    'a parameter holding %s is unreadable, not paused: the failover moves, the store is logged and inspect says so',
    async (value) => {
      const to = flip();
      await ssm().send(
        new PutParameterCommand({ Name: `/mirror-vip/pause/${MIRROR}`, Value: value, Type: 'String', Overwrite: true }),
      );
      const logged = lines.length;
      expect(await event(fns[0]?.url ?? '', to)).toMatchObject({ ok: true, outcome: 'moved', to });
      expect(lines.slice(logged).some((l) => l.msg === 'mirror-vip pause store unreadable: not paused')).toBe(true);
      const seen = await post(fns[1]?.url ?? '', captured('inspect'));
      expect((seen.body.paused as { unreadable?: string }).unreadable).toMatch(
        /is not a pause record|does not hold JSON/,
      );
    },
    60_000,
  );

  it('the resume record the other clouds write is not paused either; a pause record is', async () => {
    const to = flip();
    const since = new Date().toISOString();
    const put = (v: object) =>
      ssm().send(
        new PutParameterCommand({
          Name: `/mirror-vip/pause/${MIRROR}`,
          Value: JSON.stringify(v),
          Type: 'String',
          Overwrite: true,
        }),
      );
    await put({ paused: true, by: 'ops-2026', since, generation: 3 });
    expect(await event(fns[0]?.url ?? '', to)).toMatchObject({ outcome: 'paused' });
    await put({ paused: false, by: 'ops-2026', since, generation: 4 });
    expect(await event(fns[0]?.url ?? '', to)).toMatchObject({ outcome: 'moved', to });
  }, 60_000);
});

describe('pause and resume are bound to the pause generation: a captured request cannot be replayed', () => {
  it('a pause replayed after a resume, to another instance or to a cold-started one, is refused (409) and changes nothing', async () => {
    const [a, b] = [fns[0]?.url ?? '', fns[1]?.url ?? ''];
    const g = await generationAt(a);
    const pause = captured('pause', g);
    expect(await post(a, pause)).toMatchObject({ status: 200, body: { ok: true, generation: g + 1 } });
    expect((await post(b, captured('resume', g + 1))).status).toBe(200);
    const replayed = await post(b, pause);
    expect(replayed).toMatchObject({ status: 409, body: { error: { code: 'stale_generation' }, generation: g + 2 } });
    const cold = await serveFunctionUrl(await createAwsHandler(fnEnv, { log: (l) => lines.push(l) }));
    try {
      expect((await post(cold.url, pause)).body).toMatchObject({ error: { code: 'stale_generation' } });
    } finally {
      await cold.close();
    }
    expect((await post(a, pause)).status).toBe(409);
    expect((await post(a, captured('inspect'))).body).toMatchObject({ paused: null, generation: g + 2 });
  }, 60_000);

  it('a resume captured before a newer pause cannot lift it; a pause or resume without a generation is refused (400)', async () => {
    const a = fns[0]?.url ?? '';
    const g = await generationAt(a);
    expect((await post(a, captured('pause', g))).status).toBe(200);
    const oldResume = captured('resume', g + 1);
    expect((await post(a, oldResume)).status).toBe(200);
    expect((await post(a, captured('pause', g + 2))).status).toBe(200);
    // the same signed bytes again, to the other instance (whose replay memory never saw them)
    expect((await post(fns[1]?.url ?? '', oldResume)).body).toMatchObject({ error: { code: 'stale_generation' } });
    expect((await post(a, captured('inspect'))).body).toMatchObject({ paused: { by: 'ops-2026' }, generation: g + 3 });
    expect((await post(a, captured('resume'))).body).toMatchObject({ error: { code: 'generation_required' } });
    expect((await post(a, captured('resume', g + 3))).status).toBe(200);
  }, 60_000);
});

describe('a pause acknowledged while a move is under way', () => {
  it('stops the move before its write round: 0 writes after the 200, the event answers paused, the answer said moveInProgress', async () => {
    const url = fns[0]?.url ?? '';
    const to = flip();
    const from = to === 'iris-a' ? 'iris-b' : 'iris-a';
    const g = await generationAt(url);
    const held = world.members.hold(to);
    const moving = event(url, to);
    await held.reached; // the convergence is probing: past its first pause check, before any write
    const paused = await post(url, captured('pause', g));
    const writesAtAck = ec2Writes();
    held.release();
    expect(paused.body).toMatchObject({ ok: true, moveInProgress: true });
    expect(await moving).toMatchObject({ ok: true, outcome: 'paused' });
    expect(ec2Writes() - writesAtAck).toBe(0);
    expect(world.routeHolders()).toEqual([from, from]);
    expect((await post(url, captured('resume', g + 1))).status).toBe(200);
  }, 60_000);
});
