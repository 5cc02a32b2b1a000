// One scheduled reconcile of N mirrors in one deployment on each cloud: cloud calls (list/describe vs per-resource
// reads) and time, each mirror's members on their own loopback port. `npx tsx bench/mirrors.ts` prints and saves the
// rows; bench.ts runs it too.
import { EC2Client } from '@aws-sdk/client-ec2';
import { seedMirrorVpc, startAwsEmulator } from '../local-cloud/aws/index.ts';
import { EMULATOR_CREDENTIALS } from '../local-cloud/aws/sdk-clients.ts';
import { awsProvider } from '../shared/providers/aws/aws-provider.ts';
import { sdkEc2Api } from '../shared/providers/aws/ec2-client.ts';
import { type MirrorsRow, measureReconcile, printRows } from './mirror-pages.ts';
import { measureAzureMirrors, measureGcpMirrors, measureOciMirrors } from './mirrors-clouds.ts';

export type { MirrorsRow } from './mirror-pages.ts';

/** Reconcile `n` AWS mirrors (VIP on iris-a, iris-a primary: nothing to move) with `latencyMs` per EC2 call. */
export function measureAwsMirrors(n: number, latencyMs: number): Promise<MirrorsRow> {
  return measureReconcile(
    n,
    (op) => op.startsWith('Describe'),
    async (url) => {
      const emu = await startAwsEmulator({ latencyMs });
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
            healthUrl: url(i, name),
          })),
          vips: [{ mode: 'route', cidr: s.vipCidr, routeTableIds: s.routeTableIds }],
          keys: [{ id: `k${i}`, member: 'iris-a', secret: 'env:K' }],
        };
      });
      const client = new EC2Client({ endpoint: emu.url, region: 'us-east-1', credentials: EMULATOR_CREDENTIALS });
      return {
        mirrors,
        provider: awsProvider(sdkEc2Api(client)),
        calls: () => emu.calls.map((c) => ({ op: c.action, write: c.write })),
        close: () => emu.close(),
      };
    },
  );
}

export const MIRROR_COUNTS = [1, 10, 100, 1000] as const;

/** What each cloud's scheduled reconcile lists and what it still reads per resource (docs/<cloud>.md). */
const WHAT = {
  aws: 'DescribeRouteTables / DescribeNetworkInterfaces per region (up to 1,000 ids a call); nothing per resource',
  gcp: 'instances.aggregatedList and routes.list per project (pages of 500); nothing per resource',
  azure: 'networkInterfaces.list and routeTables.list per resource group (pages by nextLink); nothing per resource',
  oci: 'ListPrivateIps per subnet (pages of 1,000) and, with the compartment (MIRROR_VIP_COMPARTMENT_ID, set here), ListPublicIps per compartment (pages of 1,000); nothing per resource',
} as const;

/** Every cloud's rows for 1 / 10 / 100 / 1,000 mirrors at `latencyMs` per call, printed as one table per cloud. */
export async function runMirrorsBench(latencyMs: number) {
  const measure = {
    aws: measureAwsMirrors,
    gcp: measureGcpMirrors,
    azure: measureAzureMirrors,
    oci: measureOciMirrors,
  };
  const out: Record<keyof typeof measure, MirrorsRow[]> = { aws: [], gcp: [], azure: [], oci: [] };
  for (const cloud of Object.keys(measure) as (keyof typeof measure)[]) {
    for (const n of MIRROR_COUNTS) out[cloud].push(await measure[cloud](n, latencyMs));
    printRows(
      `\n${cloud}, one scheduled reconcile of N mirrors, ${latencyMs} ms per cloud call: ${WHAT[cloud]}`,
      out[cloud],
    );
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const rows = await runMirrorsBench(100);
  const { writeFileSync } = await import('node:fs');
  const out = `bench/results/mirrors-${new Date().toISOString().slice(0, 10)}.json`;
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), latencyMs: 100, ...rows }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
