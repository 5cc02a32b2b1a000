import { describe, it } from 'vitest';
import { DRILL_CLOUDS } from '../../drill/clouds/index.ts';
import { runDrill } from '../../drill/drill.ts';
import { expectFailover, printOutage } from './drill-checks.ts';

// Real namespaces, keepalived, the notifier and each cloud's bundled function behind its local front, on that cloud's
// emulator, with the cloud's profile at 5 % of real time. Every cloud listed in drill/clouds/index.ts runs here:
// - aws: route tables + EIP, the Lambda bundle behind the function-URL adapter;
// - gcp: alias IP, the bundle under the Functions Framework;
// - azure: ip-config (two NIC updates, each a long-running operation), dist/azure/index.mjs on the HTTPS ARM emulator;
// - oci: private IP + its public IP (ASSIGNING), dist/oci/func.mjs under the real FDK behind the API Gateway stand-in,
//   on the signature-verifying emulator.
describe.each(Object.keys(DRILL_CLOUDS))('failover drill on %s (scaled profile)', (cloud) => {
  it("moves the client's traffic from iris-a to iris-b, answered only by the primary, and prints the outage", async () => {
    const [run] = await runDrill({ cloud, variants: ['mirror-vip'], runs: 1, scale: 0.05, stepTimeoutMs: 40_000 });
    printOutage(expectFailover(run));
  }, 60_000);
});
