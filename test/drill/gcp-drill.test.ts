import { describe, it } from 'vitest';
import { runDrill } from '../../drill/drill.ts';
import { expectFailover, printOutage } from './drill-checks.ts';

// Real namespaces, keepalived, the notifier and the bundled function under the Functions Framework; GCP at 5 %.
describe('failover drill on GCP (alias IP, scaled profile)', () => {
  it("moves the client's traffic from iris-a to iris-b, answered only by the primary, and prints the outage", async () => {
    const [run] = await runDrill({
      cloud: 'gcp',
      variants: ['mirror-vip'],
      runs: 1,
      scale: 0.05,
      stepTimeoutMs: 40_000,
    });
    printOutage(expectFailover(run));
  }, 60_000);
});
