import { startGcpWorld } from './local-cloud/worlds/gcp-world.ts';

const w = await startGcpWorld({ accessConfig: false });
w.emu.faults.throttle = { remaining: 1, ops: ['instances.updateNetworkInterface'], reason: 'userRateLimitExceeded' };
w.members.set('iris-a', 'down');
w.members.set('iris-b', 'primary');
const { result } = await w.post(w.signedRequest('iris-b'));
console.log(JSON.stringify(result?.error), JSON.stringify(result?.calls));
console.log(JSON.stringify(w.lines.at(-1)?.errorDetail));
await w.close();
