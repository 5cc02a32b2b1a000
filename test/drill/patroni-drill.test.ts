import { it } from 'vitest';
import { runDrill } from '../../drill/drill.ts';
import { expectFailover, printOutage } from './drill-checks.ts';

// The drill with Patroni stand-ins (drill/agents/patroni-standin.ts: GET /primary on 8008 as Patroni answers it),
// the bundled AWS function reading them with the patroni probe; AWS's profile at 5 % of real time.
it("moves the client's traffic to the new Patroni leader, answered only by the primary, and prints the outage", async () => {
  const [run] = await runDrill({
    cloud: 'aws',
    variants: ['mirror-vip'],
    runs: 1,
    scale: 0.05,
    stepTimeoutMs: 40_000,
    members: 'patroni',
  });
  printOutage(expectFailover(run));
}, 60_000);
