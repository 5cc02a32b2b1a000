import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { type GcpWorld, startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { itRejects } from '../support/rejection-cases.ts';

let world: GcpWorld;
beforeAll(async () => {
  world = await startGcpWorld({ roles: { 'iris-a': 'primary', 'iris-b': 'backup' } });
});
afterAll(async () => world.close());
beforeEach(() => {
  world.emu.reset();
  world.members.set('iris-a', 'primary');
  world.members.set('iris-b', 'backup');
});

describe('GCP function: what must change nothing', () => {
  itRejects({
    signed: (o) => world.signedRequest('iris-b', o),
    send: (req, method) => world.post(req, method),
    writes: () => world.writes(),
    calls: () => world.emu.calls.length,
    vip: () => world.aliasHolders(),
    home: ['iris-a'],
    // the framework's body parser refuses JSON it cannot parse (400) or a charset it does not know (415) itself
    platform: {
      statuses: [400, 415],
      decisions: () => world.lines.filter((l) => l.msg === 'mirror-vip decision').length,
    },
  });
});
