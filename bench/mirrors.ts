// One scheduled reconcile of N AWS mirrors in one deployment (one region): cloud calls and time, each member's
// health page on its own path of one loopback server. `npx tsx bench/mirrors.ts` prints the rows; bench.ts runs it.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EC2Client } from '@aws-sdk/client-ec2';
import { seedMirrorVpc, startAwsEmulator } from '../local-cloud/aws/index.ts';
import { EMULATOR_CREDENTIALS } from '../local-cloud/aws/sdk-clients.ts';
import { parseConfig } from '../shared/config/load.ts';
import { FailoverEngine } from '../shared/core/engine.ts';
import { awsProvider } from '../shared/providers/aws/aws-provider.ts';
import { sdkEc2Api } from '../shared/providers/aws/ec2-client.ts';

export interface MirrorsRow {
  mirrors: number;
  ms: number;
  calls: number;
  describes: number;
  writes: number;
}

/** Reconcile `n` mirrors (VIP on iris-a, iris-a primary: nothing to move) with `latencyMs` per EC2 call. */
export async function measureAwsMirrors(n: number, latencyMs: number): Promise<MirrorsRow> {
  // one listening port per mirror (its members on two paths): as on real hosts, no accept queue is shared by all
  const pages = Array.from({ length: n }, () =>
    createServer((req, res) => {
      const primary = (req.url ?? '').endsWith('/iris-a');
      res.writeHead(primary ? 200 : 503).end(primary ? 'SUCCESS' : 'FAILED');
    }).listen(0, '127.0.0.1'),
  );
  await Promise.all(pages.map((p) => once(p, 'listening')));
  const base = (i: number) => `http://127.0.0.1:${(pages[i]?.address() as AddressInfo | undefined)?.port}`;
  const emu = await startAwsEmulator({ latencyMs });
  try {
    const mirrors = Array.from({ length: n }, (_, i) => {
      const s = seedMirrorVpc(emu.state, { tables: 2 });
      return {
        name: `M${i}`,
        cloud: 'aws',
        region: 'us-east-1',
        members: (['iris-a', 'iris-b'] as const).map((name) => ({
          name,
          instanceId: s.members[name].instanceId,
          eniId: s.members[name].networkInterfaceId,
          healthUrl: `${base(i)}/M${i}/${name}`,
        })),
        vips: [{ mode: 'route', cidr: s.vipCidr, routeTableIds: s.routeTableIds }],
        keys: [{ id: `k${i}`, member: 'iris-a', secret: 'env:K' }],
      };
    });
    const config = parseConfig(JSON.stringify({ mirrors }));
    const client = new EC2Client({ endpoint: emu.url, region: 'us-east-1', credentials: EMULATOR_CREDENTIALS });
    const provider = awsProvider(sdkEc2Api(client));
    const engine = new FailoverEngine({ config, keys: new Map(), providerFor: () => provider });
    emu.calls.length = 0;
    const t0 = performance.now();
    const replies = await engine.reconcile('schedule');
    const ms = performance.now() - t0;
    const bad = replies.filter((r) => r.result.outcome !== 'unchanged');
    if (bad.length) throw new Error(`${bad.length} mirrors did not reconcile: ${JSON.stringify(bad[0]?.result)}`);
    const describes = emu.calls.filter((c) => c.action.startsWith('Describe')).length;
    return { mirrors: n, ms, calls: emu.calls.length, describes, writes: emu.calls.filter((c) => c.write).length };
  } finally {
    await emu.close();
    for (const p of pages) p.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.log('AWS, one scheduled reconcile of N mirrors (one region), 100 ms per EC2 call');
  console.log('mirrors | time     | EC2 calls | Describe calls | writes');
  const rows: MirrorsRow[] = [];
  for (const n of [1, 10, 100, 1000]) {
    const r = await measureAwsMirrors(n, 100);
    rows.push(r);
    console.log(
      `${String(n).padStart(7)} | ${`${Math.round(r.ms)} ms`.padEnd(8)} | ${String(r.calls).padEnd(9)} | ${String(r.describes).padEnd(14)} | ${r.writes}`,
    );
  }
  const { writeFileSync } = await import('node:fs');
  const out = `bench/results/mirrors-${new Date().toISOString().slice(0, 10)}.json`;
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), latencyMs: 100, aws: rows }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
