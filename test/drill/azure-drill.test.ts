import { describe, it } from 'vitest';
import { runDrill } from '../../drill/drill.ts';
import { expectFailover, printOutage } from './drill-checks.ts';

// Real namespaces, keepalived, the notifier and the bundled function (dist/azure/index.mjs) behind an HTTP host, on the
// HTTPS ARM emulator; the Azure profile (two NIC updates, each a long-running operation) at 5 % of real time.
describe('failover drill on Azure (ip-config, scaled profile)', () => {
  it("moves the client's traffic from iris-a to iris-b, answered only by the primary, and prints the outage", async () => {
    const [run] = await runDrill({
      cloud: 'azure',
      variants: ['mirror-vip'],
      runs: 1,
      scale: 0.05,
      stepTimeoutMs: 40_000,
    });
    printOutage(expectFailover(run));
  }, 60_000);
});
