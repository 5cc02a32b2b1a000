import { EC2Client } from '@aws-sdk/client-ec2';
import { EMULATOR_CREDENTIALS } from '../../local-cloud/aws/sdk-clients.ts';
import { startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { FailoverEngine } from '../../shared/core/engine.ts';
import { awsProvider } from '../../shared/providers/aws/aws-provider.ts';
import { sdkEc2Api } from '../../shared/providers/aws/ec2-client.ts';
import {
  type CloudAdapter,
  commonParts,
  jitter,
  keysOf,
  type RaceWorld,
  raceConfig,
  serialStart,
} from './race-support.ts';

/** AWS: 5 route tables and an Elastic IP on one emulated account; each instance has its own engine and EC2 client. */
export const awsAdapter: CloudAdapter = {
  name: 'aws (5 route tables + EIP)',
  start: (o) =>
    // the world points process.env at its emulator while it starts: one start at a time
    serialStart(async (): Promise<RaceWorld> => {
      const holder = o.holder ?? 'iris-a';
      const world = await startAwsWorld({
        topic: false,
        roles: o.roles,
        seed: { tables: 5, vip: holder, eip: holder },
      });
      jitter(world.emu.faults, ['latencyMs'], o);
      const config = parseConfig(raceConfig(world.config, o.shape));
      const keys = keysOf(world.secrets);
      const engines = Array.from({ length: o.instances }, () => {
        const ec2 = new EC2Client({
          endpoint: world.emu.url,
          region: 'us-east-1',
          credentials: EMULATOR_CREDENTIALS,
          maxAttempts: 1,
        });
        const provider = awsProvider(sdkEc2Api(ec2));
        return new FailoverEngine({
          config,
          keys,
          providerFor: () => provider,
          retry: { baseMs: 5, maxMs: 50, maxAttempts: 8 },
        });
      });
      const none = (h: string) => (h === 'missing' ? 'none' : h);
      return {
        ...commonParts(engines, world),
        bindings: () => [...world.routeHolders(), world.eipHolder()].map(none),
        writeTimes: () => world.emu.calls.filter((c) => c.write && c.service === 'ec2').map((c) => c.startedAt),
        close: () => world.close(),
      };
    }),
};
