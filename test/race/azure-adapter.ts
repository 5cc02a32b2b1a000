import { createAzureEngine } from '../../functions/azure/azure-runtime.ts';
import { startAzureWorld } from '../../local-cloud/worlds/azure-world.ts';
import { sdkNetworkApi } from '../../shared/providers/azure/arm-sdk.ts';
import { type CloudAdapter, commonParts, jitter, type RaceWorld, raceConfig } from './race-support.ts';

const noLog = () => undefined;
/** Several UDR tables in route mode: each is its own resource with its own ETag, written in parallel. */
const ROUTE_TABLES = 3;

/**
 * Azure, `ip-config` (the NIC ip-configuration with the private VIP and the public IP, seed 001) or `route` (the UDR
 * route in several route tables); each instance is a cold-started engine with its own @azure/arm-network client.
 */
export function azureAdapter(mode: 'ip-config' | 'route'): CloudAdapter {
  return {
    name: mode === 'route' ? `azure route (${ROUTE_TABLES} UDR tables)` : 'azure ip-config + public IP',
    start: async (o): Promise<RaceWorld> => {
      if (o.holder === 'iris-b') throw new Error('the Azure race world seeds the VIP on iris-a or nowhere');
      const nowhere = o.holder === 'none';
      const seed = mode === 'route' ? { tables: ROUTE_TABLES, routes: !nowhere } : { ipConfig: !nowhere };
      const world = await startAzureWorld({ mode, roles: o.roles, seed, engine: { log: noLog } });
      // reset() (at the end of the world's start) made a fresh fault plan: jitter that one
      jitter(world.emu.faults, ['latencyMs', 'operationDelayMs'], o);
      // the emulator stamps calls relative to its own start: stamp each on this clock as it is recorded (on arrival)
      const at = new WeakMap<object, number>();
      const calls = world.emu.calls;
      calls.push = (...recs) => {
        for (const r of recs) at.set(r, performance.now());
        return Array.prototype.push.apply(calls, recs);
      };
      const token = world.emu.issueToken();
      const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
      const env = { ...world.env, MIRROR_VIP_CONFIG: raceConfig(world.config, o.shape) };
      const engines = await Promise.all(
        Array.from({ length: o.instances }, async () => {
          const networkApi = sdkNetworkApi(credential, world.seed.subscriptionId, {
            endpoint: world.emu.url,
            ca: world.emu.ca,
          });
          const { engine } = await createAzureEngine(env, {
            networkApi,
            log: noLog,
            retry: { baseMs: 5, maxMs: 50, maxAttempts: 8 },
          });
          return engine;
        }),
      );
      const one = (holders: string[]) => (holders.length === 0 ? 'none' : holders.join('+'));
      return {
        ...commonParts(engines, world),
        bindings: () =>
          mode === 'route'
            ? world.routeHolders().map((h) => h ?? 'none')
            : [one(world.ipConfigHolders()), one(world.publicIpHolders())],
        writeTimes: () => calls.filter((c) => c.write).map((c) => at.get(c) ?? Number.POSITIVE_INFINITY),
        displace: () => {
          const { state, seed: s } = world;
          if (mode === 'route') {
            const route = [...state.routeTables.values()][0]?.routes.get(s.routeName);
            if (route) route.nextHopIpAddress = s.backup.ip;
          } else {
            const vip = state.nicByName(s.primary.nic)?.ipConfigurations.find((c) => c.name === s.ipConfigName);
            if (vip) vip.publicIpId = null;
          }
        },
        close: () => world.close(),
      };
    },
  };
}
