import {
  DescribeRouteTablesCommand,
  type EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsEmulator, serialRounds, startAwsEmulator } from '../../../local-cloud/aws/ec2-emulator.ts';
import { expectSdkError, sdkClients } from '../../../local-cloud/aws/sdk-clients.ts';
import { type SeededMirror, seedMirrorVpc } from '../../../local-cloud/aws/seed.ts';

describe('fault injection, latency and the call log', () => {
  let emu: AwsEmulator;
  let ids: SeededMirror;
  let ec2: EC2Client;

  beforeEach(async () => {
    emu = await startAwsEmulator();
    ids = seedMirrorVpc(emu.state);
    ec2 = sdkClients(emu).ec2;
  });
  afterEach(() => emu.close());

  const moveVip = (tableIndex = 0) =>
    new ReplaceRouteCommand({
      RouteTableId: ids.routeTableIds[tableIndex],
      DestinationCidrBlock: ids.vipCidr,
      NetworkInterfaceId: ids.members['iris-b'].networkInterfaceId,
    });
  const describe1 = () => new DescribeRouteTablesCommand({ RouteTableIds: [ids.routeTableIds[0] as string] });

  it('throttles the next N matching calls with 503 RequestLimitExceeded, records them and keeps the state', async () => {
    emu.faults.throttle = { remaining: 2, actions: ['ReplaceRoute'] };
    const before = structuredClone(emu.state);
    const first = await expectSdkError(ec2.send(moveVip()), 'RequestLimitExceeded');
    expect(first.$metadata.httpStatusCode).toBe(503);
    await ec2.send(describe1()); // not a matching action: unaffected, does not consume the budget
    await expectSdkError(ec2.send(moveVip()), 'RequestLimitExceeded');
    expect(emu.state).toEqual(before);
    await ec2.send(moveVip());
    expect(emu.calls.map((c) => [c.action, c.write, c.status, c.errorCode])).toEqual([
      ['ReplaceRoute', true, 503, 'RequestLimitExceeded'],
      ['DescribeRouteTables', false, 200, undefined],
      ['ReplaceRoute', true, 503, 'RequestLimitExceeded'],
      ['ReplaceRoute', true, 200, undefined],
    ]);
    expect(emu.faults.throttle.remaining).toBe(0);
  });

  it('fails the next N calls with 500 InternalError or 503 Unavailable as server faults', async () => {
    emu.faults.fail = { remaining: 1, status: 500, code: 'InternalError' };
    const internal = await expectSdkError(ec2.send(moveVip()), 'InternalError');
    expect(internal.$fault).toBe('server');
    expect(internal.$metadata.httpStatusCode).toBe(500);
    emu.faults.fail = { remaining: 1, status: 503, code: 'Unavailable' };
    const unavailable = await expectSdkError(ec2.send(moveVip()), 'Unavailable');
    expect(unavailable.$metadata.httpStatusCode).toBe(503);
    expect(emu.state.routeTables.get(ids.routeTableIds[0] as string)?.routes[1]?.networkInterfaceId).toBe(
      ids.members['iris-a'].networkInterfaceId,
    );
    expect(emu.calls.map((c) => c.errorCode)).toEqual(['InternalError', 'Unavailable']);
  });

  it('lets the SDK retry injected failures: every attempt is recorded', async () => {
    const retrying = sdkClients(emu, 3).ec2;
    emu.faults.fail = { remaining: 2, status: 500, code: 'InternalError' };
    const out = await retrying.send(moveVip());
    expect(out.$metadata.attempts).toBe(3);
    expect(emu.calls.map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('throttles SNS and SSM in their own protocols', async () => {
    emu.state.sns.topics.add('arn:aws:sns:us-east-1:123456789012:t');
    const { sns, ssm } = sdkClients(emu);
    emu.faults.throttle = { remaining: 2 };
    const publish = new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'x' });
    await expectSdkError(sns.send(publish), 'Throttling');
    await expectSdkError(ssm.send(new GetParameterCommand({ Name: '/x' })), 'ThrottlingException');
    expect(emu.state.sns.published).toEqual([]);
  });

  it('adds latency to every call, plus per-action latency', async () => {
    emu.faults.latencyMs = 20;
    emu.faults.latencyByAction = { ModifyNetworkInterfaceAttribute: 30 };
    await ec2.send(describe1());
    const eniId = ids.members['iris-a'].networkInterfaceId;
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, SourceDestCheck: { Value: true } }),
    );
    const [read, write] = emu.calls;
    expect((read?.endedAt ?? 0) - (read?.startedAt ?? 0)).toBeGreaterThanOrEqual(20);
    expect((write?.endedAt ?? 0) - (write?.startedAt ?? 0)).toBeGreaterThanOrEqual(50);
  });

  it('counts parallel calls as one round and sequential calls as one round each', async () => {
    emu.faults.latencyMs = 50; // long enough that parallel requests all arrive before the first answer
    await Promise.all([ec2.send(moveVip(0)), ec2.send(moveVip(1)), ec2.send(describe1())]);
    expect(serialRounds(emu.calls)).toBe(1);
    await ec2.send(describe1());
    await ec2.send(describe1());
    expect(serialRounds(emu.calls)).toBe(3);
    expect(emu.calls).toHaveLength(5);
  });

  it('reset clears the log and the faults but keeps the state', async () => {
    await ec2.send(moveVip());
    emu.faults.throttle = { remaining: 5 };
    emu.faults.latencyMs = 10;
    emu.reset();
    expect(emu.calls).toEqual([]);
    expect(emu.faults).toEqual({
      latencyMs: 0,
      latencyByAction: {},
      throttle: { remaining: 0 },
      fail: { remaining: 0, status: 500, code: 'InternalError' },
    });
    expect(emu.state.routeTables.get(ids.routeTableIds[0] as string)?.routes[1]?.networkInterfaceId).toBe(
      ids.members['iris-b'].networkInterfaceId,
    );
  });
});

describe('serialRounds', () => {
  const call = (startedAt: number, endedAt: number) => ({ startedAt, endedAt });

  it('is 0 for no calls and 1 for overlapping calls', () => {
    expect(serialRounds([])).toBe(0);
    expect(serialRounds([call(0, 10), call(1, 11), call(9, 12)])).toBe(1);
  });

  it('follows the longest chain, counting a start exactly at the previous end as serial', () => {
    expect(serialRounds([call(0, 10), call(10, 20), call(20, 30)])).toBe(3);
    // a long call in parallel with a two-step chain: the chain wins
    expect(serialRounds([call(0, 100), call(0, 10), call(15, 30), call(40, 50)])).toBe(3);
    expect(serialRounds([call(40, 50), call(0, 10), call(15, 30)])).toBe(3);
  });
});

describe('startAwsEmulator options', () => {
  it('uses the given latency and state', async () => {
    const first = await startAwsEmulator({ latencyMs: 5 });
    const ids = seedMirrorVpc(first.state, { tables: 1, vip: 'iris-b', eip: 'none', sourceDestCheck: true });
    const second = await startAwsEmulator({ state: first.state });
    try {
      expect(first.faults.latencyMs).toBe(5);
      expect(second.state).toBe(first.state);
      expect(ids.associationId).toBeUndefined();
      const out = await sdkClients(second).ec2.send(
        new DescribeRouteTablesCommand({ RouteTableIds: ids.routeTableIds }),
      );
      expect(out.RouteTables?.[0]?.Routes?.[1]?.NetworkInterfaceId).toBe(ids.members['iris-b'].networkInterfaceId);
      expect(first.state.networkInterfaces.get(ids.members['iris-a'].networkInterfaceId)?.sourceDestCheck).toBe(true);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
