import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { type AzureWorld, startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import { itRejects } from '../support/rejection-cases.ts';

let world: AzureWorld;
beforeAll(async () => {
  world = await startAzureWorld({ roles: { 'iris-a': 'primary', 'iris-b': 'backup' } });
});
afterAll(async () => world.close());
beforeEach(() => {
  world.emu.reset();
  world.members.set('iris-a', 'primary');
  world.members.set('iris-b', 'backup');
});

describe('Azure HTTP trigger: what must change nothing', () => {
  itRejects({
    signed: (o) => world.signedRequest('iris-b', o),
    send: (req, method) => world.post(req, method),
    writes: () => world.writes(),
    calls: () => world.emu.calls.length,
    vip: () => world.ipConfigHolders(),
    home: ['iris-a'],
  });
});
