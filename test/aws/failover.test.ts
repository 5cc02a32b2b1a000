import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsHandler } from '../../functions/aws/app.ts';
import { type AwsWorld, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import type { FailoverResult } from '../../shared/core/result.ts';

let world: AwsWorld;
afterEach(async () => world?.close());

async function send(event: unknown) {
  const res = (await world.handler(event)) as { statusCode: number; body: string };
  return { status: res.statusCode, result: JSON.parse(res.body) as FailoverResult };
}

describe('AWS function: a signed became-primary event', () => {
  it('moves the route in every table and the Elastic IP to the new primary, and says how', async () => {
    world = await startAwsWorld({ seed: { tables: 3 } });
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const { status, result } = await send(world.signedRequest('iris-b'));
    expect(status).toBe(200);
    expect(result).toMatchObject({ ok: true, outcome: 'moved', from: 'iris-a', to: 'iris-b', mirror: 'IRISMIRROR' });
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b', 'iris-b']);
    expect(world.eipHolder()).toBe('iris-b');
    expect(result.plan?.map((c) => c.slot)).toEqual([...world.seeded.routeTableIds, world.seeded.allocationId]);
    expect(
      result.calls
        .filter((c) => c.write)
        .map((c) => c.op)
        .sort(),
    ).toEqual(['ec2:AssociateAddress', 'ec2:ReplaceRoute', 'ec2:ReplaceRoute', 'ec2:ReplaceRoute']);
    expect(result.writeCalls).toBe(world.writes());
    expect(result.durationMs).toBeGreaterThan(0);
    const line = world.lines.find((l) => l.msg === 'mirror-vip decision');
    expect(line).toMatchObject({
      outcome: 'moved',
      from: 'iris-a',
      to: 'iris-b',
      writeCalls: 4,
      eventId: result.eventId,
    });
    expect(line?.calls).toHaveLength(result.calls.length);
    const published = world.emu.state.sns.published;
    expect(published).toHaveLength(1);
    expect(JSON.parse(published[0]?.message.split('Full result (JSON):\n')[1] ?? '{}')).toMatchObject({
      outcome: 'moved',
      to: 'iris-b',
    });
  });

  it('makes no write call for the same move twice, or for a reconcile when all is right', async () => {
    world = await startAwsWorld();
    world.members.set('iris-a', 'backup');
    world.members.set('iris-b', 'primary');
    const first = world.signedRequest('iris-b');
    expect((await send(first)).result.outcome).toBe('moved');
    world.emu.reset();
    const again = await send(world.signedRequest('iris-b'));
    expect(again.result).toMatchObject({ ok: true, outcome: 'unchanged', writeCalls: 0 });
    const scheduled = (await world.handler({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} })) as {
      results: FailoverResult[];
    };
    expect(scheduled.results).toMatchObject([{ outcome: 'unchanged', trigger: 'schedule', to: 'iris-b' }]);
    expect(world.writes()).toBe(0);
    expect(world.emu.state.sns.published).toHaveLength(1);
  });

  it('creates the route where a table lacks it and replaces one that points at a third interface', async () => {
    world = await startAwsWorld({ seed: { tables: 3, vip: ['iris-a', 'none', 'iris-a'] } });
    const stranger = world.seeded.members['iris-a'].networkInterfaceId;
    const table3 = world.emu.state.routeTables.get(world.seeded.routeTableIds[2] ?? '');
    const route = table3?.routes.find((r) => r.destinationCidrBlock === world.seeded.vipCidr);
    expect(route?.networkInterfaceId).toBe(stranger);
    if (route) route.networkInterfaceId = 'eni-0ffffffffffffffff';
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const { result } = await send(world.signedRequest('iris-b'));
    expect(result.outcome).toBe('moved');
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b', 'iris-b']);
    const byTable = Object.fromEntries(result.plan?.map((c) => [c.slot, c.from]) ?? []);
    expect(byTable[world.seeded.routeTableIds[1] ?? '']).toBeNull();
    expect(byTable[world.seeded.routeTableIds[2] ?? '']).toBe('eni-0ffffffffffffffff');
    expect(world.emu.calls.filter((c) => c.action === 'CreateRoute')).toHaveLength(1);
  });

  it('waits, within the confirm window, for a claimant whose status page lags behind its ZMIRROR call', async () => {
    world = await startAwsWorld({ confirmWindowMs: 3000 });
    world.members.set('iris-a', 'down');
    world.members.script('iris-b', ['backup', 'backup', 'primary']);
    const { result } = await send(world.signedRequest('iris-b'));
    expect(result).toMatchObject({ outcome: 'moved', to: 'iris-b', probes: { 'iris-b': 'primary' } });
    // 3 while confirming (outside the queue), then every member before the observation, before the writes and
    // once more with the read-back that proves the move
    expect(world.members.probes['iris-b']).toBe(6);
    expect(result.rounds).toBe(2);
  });

  it('warns when source/dest check is on for the target interface', async () => {
    world = await startAwsWorld({ seed: { sourceDestCheck: true } });
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const { result } = await send(world.signedRequest('iris-b'));
    expect(result.outcome).toBe('moved');
    expect(result.warnings.join()).toMatch(/source\/dest check is on for eni-.* \(iris-b\)/);
  });
});

describe('AWS function: key rotation', () => {
  it('accepts either of two live keys of a member, and refuses the old one once it is removed', async () => {
    world = await startAwsWorld();
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const newSecret = randomBytes(32).toString('base64url');
    const config = structuredClone(world.config);
    const keys = config.mirrors[0]!.keys;
    const env = { ...world.env, MIRROR_VIP_KEY_B2: newSecret };
    const status = async (h: Awaited<ReturnType<typeof createAwsHandler>>, o: { keyId?: string; secret?: string }) =>
      (await h(world.signedRequest('iris-b', o))) as { statusCode: number; body: string };
    keys.push({ id: 'iris-b-k2', member: 'iris-b', secret: 'env:MIRROR_VIP_KEY_B2' });
    const both = await createAwsHandler({ ...env, MIRROR_VIP_CONFIG: JSON.stringify(config) }, { log: () => {} });
    expect((await status(both, {})).statusCode).toBe(200);
    expect((await status(both, { keyId: 'iris-b-k2', secret: newSecret })).statusCode).toBe(200);
    config.mirrors[0]!.keys = keys.filter((k) => k.id !== 'iris-b-k1');
    const rotated = await createAwsHandler({ ...env, MIRROR_VIP_CONFIG: JSON.stringify(config) }, { log: () => {} });
    expect(JSON.parse((await status(rotated, {})).body)).toMatchObject({ error: { code: 'unknown_key' } });
    expect((await status(rotated, { keyId: 'iris-b-k2', secret: newSecret })).statusCode).toBe(200);
  });
});

describe('AWS function: alarms and schedules reconcile', () => {
  it('an SNS alarm naming a member instance reconciles its mirror to the member that answers primary', async () => {
    world = await startAwsWorld();
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const alarm = {
      AlarmName: 'iris-a status check',
      NewStateValue: 'ALARM',
      Trigger: { Dimensions: [{ name: 'InstanceId', value: world.seeded.members['iris-a'].instanceId }] },
    };
    const out = (await world.handler({
      Records: [{ EventSource: 'aws:sns', Sns: { Message: JSON.stringify(alarm) } }],
    })) as {
      results: FailoverResult[];
    };
    expect(out.results).toMatchObject([{ outcome: 'moved', trigger: 'alarm', from: 'iris-a', to: 'iris-b' }]);
    expect(world.routeHolders()).toEqual(['iris-b', 'iris-b']);
  });

  it('an alarm named mirror-vip:<mirror>:… works without an instance dimension; an unknown one moves nothing', async () => {
    world = await startAwsWorld({ roles: { 'iris-a': 'backup', 'iris-b': 'primary' } });
    const sns = (name: string) => ({
      Records: [
        { EventSource: 'aws:sns', Sns: { Message: JSON.stringify({ AlarmName: name, NewStateValue: 'ALARM' }) } },
      ],
    });
    const unknown = (await world.handler(sns('cpu high'))) as { results: FailoverResult[] };
    expect(unknown.results[0]?.error?.code).toBe('unknown_mirror');
    expect(world.writes()).toBe(0);
    const named = (await world.handler(sns('mirror-vip:IRISMIRROR:health'))) as { results: FailoverResult[] };
    expect(named.results[0]).toMatchObject({ outcome: 'moved', to: 'iris-b' });
  });

  it('a reconcile with no primary, or two, moves nothing and says why', async () => {
    world = await startAwsWorld({ roles: { 'iris-a': 'down', 'iris-b': 'backup' } });
    const tick = { source: 'aws.events', 'detail-type': 'Scheduled Event' };
    expect(((await world.handler(tick)) as { results: FailoverResult[] }).results[0]?.error?.code).toBe('no_primary');
    // the instance's first scheduled invocation also ran its cold-start preflight: reads and DryRuns, no write
    expect(world.emu.calls.filter((c) => c.write)).toEqual([]);
    expect(world.lines.filter((l) => l.trigger === 'cold-start')).toHaveLength(1);
    world.emu.reset();
    world.members.set('iris-a', 'primary');
    world.members.set('iris-b', 'primary');
    expect(((await world.handler(tick)) as { results: FailoverResult[] }).results[0]?.error?.code).toBe(
      'several_primaries',
    );
    expect(world.emu.calls).toHaveLength(0);
  });
});
