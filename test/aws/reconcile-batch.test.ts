import { EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { type AwsEmulator, seedMirrorVpc, startAwsEmulator } from '../../local-cloud/aws/index.ts';
import { EMULATOR_CREDENTIALS } from '../../local-cloud/aws/sdk-clients.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { FailoverEngine } from '../../shared/core/engine.ts';
import type { Probe } from '../../shared/core/health.ts';
import { awsProvider } from '../../shared/providers/aws/aws-provider.ts';
import { sdkEc2Api } from '../../shared/providers/aws/ec2-client.ts';

/** Members answer by the last letter of their health URL: a = primary, b = backup (no network in this count). */
const probe: Probe = async (url) => ({ role: url.endsWith('a') ? 'primary' : 'backup', ms: 0 });

/** `n` mirrors in one deployment, each its own VPC with two route tables (a route VIP) and an Elastic IP. */
function deployment(emu: AwsEmulator, n: number, primaryOn: 'iris-a' | 'iris-b') {
  const mirrors = Array.from({ length: n }, (_, i) => {
    const s = seedMirrorVpc(emu.state, { tables: 2, vip: primaryOn, eip: primaryOn });
    return {
      name: `M${i}`,
      cloud: 'aws',
      region: 'us-east-1',
      members: (['iris-a', 'iris-b'] as const).map((name) => ({
        name,
        instanceId: s.members[name].instanceId,
        eniId: s.members[name].networkInterfaceId,
        healthUrl: `http://127.0.0.1:1/${i}/${name.slice(-1)}`,
      })),
      vips: [
        { mode: 'route', cidr: s.vipCidr, routeTableIds: s.routeTableIds },
        { mode: 'eip', allocationId: s.allocationId },
      ],
      keys: [{ id: `k${i}`, member: 'iris-a', secret: 'env:K' }],
    };
  });
  return parseConfig(JSON.stringify({ mirrors }));
}

let emu: AwsEmulator | undefined;
afterEach(async () => emu?.close());

async function reconcileAll(n: number, primaryOn: 'iris-a' | 'iris-b') {
  emu = await startAwsEmulator({ latencyMs: 0 });
  const config = deployment(emu, n, primaryOn);
  const client = new EC2Client({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: EMULATOR_CREDENTIALS,
    maxAttempts: 1,
  });
  const provider = awsProvider(sdkEc2Api(client));
  const engine = new FailoverEngine({ config, keys: new Map(), providerFor: () => provider, probe });
  emu.calls.length = 0;
  const replies = await engine.reconcile('schedule');
  const count = (action: string) => emu?.calls.filter((c) => c.action === action).length ?? 0;
  const describes = Object.fromEntries(
    ['DescribeRouteTables', 'DescribeNetworkInterfaces', 'DescribeAddresses'].map((a) => [a, count(a)]),
  );
  const writes = count('ReplaceRoute') + count('AssociateAddress');
  await emu.close();
  emu = undefined;
  return { replies, describes, writes };
}

describe('a scheduled reconcile of many AWS mirrors in one region', () => {
  it('costs the same Describe calls for 10 mirrors as for 1: one per kind, shared by all', async () => {
    const one = await reconcileAll(1, 'iris-a');
    const ten = await reconcileAll(10, 'iris-a');
    expect(one.replies.map((r) => r.result.outcome)).toEqual(['unchanged']);
    expect(ten.replies.map((r) => r.result.outcome)).toEqual(Array(10).fill('unchanged'));
    expect(ten.describes).toEqual(one.describes);
    expect(ten.describes).toEqual({ DescribeRouteTables: 1, DescribeNetworkInterfaces: 1, DescribeAddresses: 1 });
    expect(ten.writes).toBe(0);
  });

  it('still moves every mirror whose VIP is off its primary; only the read-back of a moved mirror is its own', async () => {
    const ten = await reconcileAll(10, 'iris-b');
    expect(ten.replies.map((r) => r.result.outcome)).toEqual(Array(10).fill('moved'));
    expect(ten.writes).toBe(10 * 3); // two route tables and one Elastic IP each
    // the snapshot (one of each kind), then each moved mirror's read-back (no ENI read: warnings are done)
    expect(ten.describes).toEqual({
      DescribeRouteTables: 1 + 10,
      DescribeNetworkInterfaces: 1,
      DescribeAddresses: 1 + 10,
    });
  });
});
