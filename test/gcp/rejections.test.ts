import { describe } from 'vitest';
import { startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { itRejects, rejectionWorld, wireGlue } from '../support/rejection-cases.ts';

const world = rejectionWorld((roles) => startGcpWorld({ roles }));

describe('GCP function: what must change nothing', () => {
  itRejects({
    ...wireGlue(world),
    vip: () => world().aliasHolders(),
    home: ['iris-a'],
    // the framework's body parser refuses JSON it cannot parse (400) or a charset it does not know (415) itself
    platform: {
      statuses: [400, 415],
      decisions: () => world().lines.filter((l) => l.msg === 'mirror-vip decision').length,
    },
  });
});
