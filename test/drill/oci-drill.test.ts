import { describe, it } from 'vitest';
import { runDrill } from '../../drill/drill.ts';
import { expectFailover, printOutage } from './drill-checks.ts';

// Real namespaces, keepalived, the notifier and the bundled function (dist/oci/func.mjs) under the real FDK behind the API Gateway
// stand-in, on the signature-verifying OCI emulator; the OCI profile (UpdatePrivateIp, the public IP ASSIGNING) at 5 % of real time.
describe('failover drill on OCI (private-ip, scaled profile)', () => {
  it("moves the client's traffic from iris-a to iris-b, answered only by the primary, and prints the outage", async () => {
    const [run] = await runDrill({
      cloud: 'oci',
      variants: ['mirror-vip'],
      runs: 1,
      scale: 0.05,
      stepTimeoutMs: 40_000,
    });
    printOutage(expectFailover(run));
  }, 60_000);
});
