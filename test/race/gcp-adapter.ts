import { createGcpEngine } from '../../functions/gcp/gcp-runtime.ts';
import { startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';
import { type CloudAdapter, commonParts, jitter, type RaceWorld, raceConfig } from './race-support.ts';

const noLog = () => undefined;

/** GCP, `alias-ip` (alias range + access config) or `route` mode; each instance is a cold-started engine of its own. */
export function gcpAdapter(mode: 'alias-ip' | 'route'): CloudAdapter {
  return {
    name: mode === 'route' ? 'gcp route' : 'gcp alias + access config',
    async start(o): Promise<RaceWorld> {
      const nowhere = o.holder === 'none';
      const seed = mode === 'route' ? { route: !nowhere } : nowhere ? { alias: false, accessConfig: false } : {};
      const world = await startGcpWorld({ mode, roles: o.roles, seed, engine: { log: noLog } });
      jitter(world.emu.faults, ['latencyMs', 'operationDelayMs'], o);
      const engines = await Promise.all(
        Array.from({ length: o.instances }, async () => {
          const env = { ...world.env, MIRROR_VIP_CONFIG: raceConfig(world.config, o.shape) };
          const { engine } = await createGcpEngine(env, {
            log: noLog,
            retry: { baseMs: 5, maxMs: 50, maxAttempts: 8 },
          });
          return engine;
        }),
      );
      const one = (holders: string[]) => (holders.length === 0 ? 'none' : holders.join('+'));
      const routeBindings = () => {
        const routes = world.routes();
        if (routes.length === 0) return ['none'];
        const best = Math.min(...routes.map((r) => r.priority));
        return routes.filter((r) => r.priority === best).map((r) => r.to);
      };
      return {
        ...commonParts(engines, world),
        bindings: () =>
          mode === 'route' ? routeBindings() : [one(world.aliasHolders()), one(world.accessConfigHolders())],
        writeTimes: () => world.emu.calls.filter((c) => c.write).map((c) => c.startedAt - performance.timeOrigin),
        close: () => world.close(),
      };
    },
  };
}
