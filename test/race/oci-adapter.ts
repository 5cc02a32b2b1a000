import { createOciEngine } from '../../functions/oci/oci-runtime.ts';
import { testKeyPair } from '../../local-cloud/oci/index.ts';
import { startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import {
  type CloudAdapter,
  commonParts,
  jitter,
  quietOciSdkWarnings,
  type RaceWorld,
  raceConfig,
} from './race-support.ts';

const noLog = () => undefined;
/** One signing key pair for every world: generating one blocks the process (and its other trials) for a while. */
let key: ReturnType<typeof testKeyPair> | undefined;

/**
 * OCI, `private-ip` (the secondary private IP and its reserved public IP, seed 004) or `route` (the VIP/32 rule in
 * both route tables); each instance is a cold-started engine (its own key signer, Vault read and VirtualNetwork
 * client). A secondary private IP always lives on some VNIC, so a world whose VIP is "nowhere" starts, in private-ip
 * mode, with it on iris-a (the scenario's property is the same: with both answering primary nothing may be written).
 */
export function ociAdapter(mode: 'private-ip' | 'route'): CloudAdapter {
  return {
    name: mode === 'route' ? 'oci route (2 route tables)' : 'oci private IP + public IP',
    async start(o): Promise<RaceWorld> {
      if (o.holder === 'iris-b') throw new Error('the OCI race world seeds the VIP on iris-a (or, routes, nowhere)');
      quietOciSdkWarnings();
      const nowhere = o.holder === 'none';
      key ??= testKeyPair();
      const world = await startOciWorld({
        mode,
        roles: o.roles,
        key,
        seed: { routes: !(mode === 'route' && nowhere) },
      });
      // every cloud call, and the public IP's ASSIGNING → ASSIGNED, take a fresh random time
      jitter(world.emu.faults, ['latencyMs'], o);
      jitter(world.state.timing, ['assigningMs'], o);
      const env = { ...world.env, MIRROR_VIP_CONFIG: raceConfig(world.config, o.shape) };
      const engines = await Promise.all(
        Array.from({ length: o.instances }, async () => {
          const { engine } = await createOciEngine(env, {
            log: noLog,
            retry: { baseMs: 5, maxMs: 50, maxAttempts: 8 },
            pollMs: 5,
          });
          return engine;
        }),
      );
      // the public IP counts as on a member only once ASSIGNED; anything else (ASSIGNING, detached) is its own word
      const publicIp = () => {
        const p = world.publicIp();
        return p.state === 'ASSIGNED' ? String(p.on ?? 'none') : p.on ? `${p.state}:${p.on}` : 'none';
      };
      return {
        ...commonParts(engines, world),
        bindings: () =>
          mode === 'route'
            ? world.routes().map((h) => h ?? 'none')
            : [String(world.privateIpHolder() ?? 'none'), publicIp()],
        writeTimes: () => world.emu.calls.filter((c) => c.write).map((c) => c.startedAt),
        displace: () => {
          const { state, seed: s } = world;
          if (mode === 'route') {
            const rule = state.routeTable(s.routeTableIds[0]).routeRules.find((r) => r.destination === s.routeVip);
            if (rule) rule.networkEntityId = s.backup.privateIpId;
          } else Object.assign(state.publicIp(s.publicIpId), { privateIpId: null, lifecycleState: 'AVAILABLE' });
        },
        close: () => world.close(),
      };
    },
  };
}
