import { describe } from 'vitest';
import { startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import { itRejects, rejectionWorld, wireGlue } from '../support/rejection-cases.ts';

const world = rejectionWorld((roles) => startAzureWorld({ roles }));

describe('Azure HTTP trigger: what must change nothing', () => {
  itRejects({
    ...wireGlue(world),
    vip: () => world().ipConfigHolders(),
    home: ['iris-a'],
  });
});
