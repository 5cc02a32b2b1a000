import type { AzureMirrorConfig } from '../../config/schema-azure.ts';
import type { CallContext } from '../../core/retry.ts';
import { settleAll } from '../../core/retry.ts';
import { ProviderError } from '../../errors.ts';
import { commitContext, requireTimeFor } from '../budget.ts';
import { PollCadence } from '../poll-cadence.ts';
import type { Observation, PlanChange, Provider } from '../types.ts';
import { checkAzureMirror } from './azure-check.ts';
import { ARM_CODES, apiCodeOf } from './azure-errors.ts';
import {
  type IpConfigVip,
  ipConfigBindings,
  moveIpConfig,
  movePublicIp,
  SLOTS,
  serialOperations,
} from './ip-config-moves.ts';
import type { NetworkApi, NicView, RouteView } from './network-api.ts';
import { type MoveContext, memberOf, readNic } from './nics.ts';
import { moveRoute, primaryIpOf, type RouteVip, readRoute, routeBindings, routeRef, tableSlot } from './route-moves.ts';
import { type AzureSnapshot, azureSnapshot, snapshotNic, snapshotRoute } from './snapshot.ts';

/** What one observation saw, kept for the apply of the same invocation (same CallContext) to reuse. */
interface Seen {
  nics: Map<string, NicView>;
  missing: Set<string>;
  routes: Map<string, (RouteView | null)[]>;
}

async function observeAll(
  api: NetworkApi,
  ctx: CallContext,
  mirror: AzureMirrorConfig,
  snap?: AzureSnapshot,
): Promise<Seen> {
  const missing = new Set<string>();
  // the deployment's snapshot serves the first observation; its ETags are quoted like any read's (412 → re-read)
  const read = (m: AzureMirrorConfig['members'][number]) =>
    (async () => snapshotNic(snap, mirror, m) ?? (await readNic({ api, ctx, mirror }, m)))().then(
      (nic) => [m.name, nic] as const,
      (e: unknown) => {
        // a deleted NIC holds no address; any other failure would make the observation a guess
        if (apiCodeOf(e) !== ARM_CODES.notFound) throw e;
        missing.add(m.name);
        return undefined;
      },
    );
  const routeVips = mirror.vips.filter((v): v is RouteVip => v.mode === 'route');
  const [pairs, routeLists] = await Promise.all([
    Promise.all(mirror.members.map(read)),
    Promise.all(
      routeVips.map((v) =>
        Promise.all(
          v.routeTables.map(async (t) => {
            const listed = snapshotRoute(snap, mirror, v, t);
            return listed !== undefined ? listed : readRoute(api, ctx, routeRef(mirror, v, t));
          }),
        ),
      ),
    ),
  ]);
  const nics = new Map(pairs.filter((p) => p !== undefined));
  return { nics, missing, routes: new Map(routeVips.map((v, i) => [v.cidr, routeLists[i] ?? []])) };
}

function warnings(mirror: AzureMirrorConfig, seen: Seen): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (member: string, w: string) => {
    out[member] = [...(out[member] ?? []), w];
  };
  for (const name of seen.missing) {
    const nic = mirror.members.find((x) => x.name === name)?.nic;
    for (const m of mirror.members) add(m.name, `NIC ${nic} (${name}) does not exist`);
  }
  if (!mirror.vips.some((v) => v.mode === 'route')) return out;
  for (const m of mirror.members) {
    if (seen.nics.get(m.name)?.ipForwarding === false) {
      add(m.name, `IP forwarding is off on NIC ${m.nic} (${m.name}): packets routed to the VIP would be dropped`);
    }
  }
  return out;
}

/**
 * Azure moves. Mode `ip-config` (seed 001): the ip-configuration holding the private VIP (and the public IP) leaves
 * the holder's NIC and joins the target's, each NIC PUT with If-Match and its operation polled to the end. Mode
 * `route`: the UDR route VIP/32 in every configured table → VirtualAppliance at the target's address, in parallel.
 * Each slot's move is its own function (moveIpConfig, movePublicIp, moveRoute) so its outcome can be reported.
 */
export function azureProvider(api: NetworkApi): Provider<AzureMirrorConfig> {
  const lastSeen = new WeakMap<CallContext, Seen>();
  // what this instance learns of how long its LROs run, shared by every apply (shared/providers/poll-cadence.ts)
  const cadence = new PollCadence();
  return {
    async observe(mirror, ctx, options): Promise<Observation> {
      const seen = await observeAll(api, ctx, mirror, options?.snapshot as AzureSnapshot | undefined);
      lastSeen.set(ctx, seen);
      const bindings = mirror.vips.flatMap((v) =>
        v.mode === 'ip-config'
          ? ipConfigBindings(mirror, v, seen.nics)
          : routeBindings(mirror, v, seen.routes.get(v.cidr) ?? [], seen.nics),
      );
      return { bindings, memberWarnings: warnings(mirror, seen) };
    },
    snapshot: (mirrors, ctx) => azureSnapshot(api, mirrors, ctx),
    async apply(mirror, changes, ctx) {
      const seen = lastSeen.get(ctx) ?? (await observeAll(api, ctx, mirror));
      const mc: MoveContext = {
        api,
        ctx,
        commit: commitContext(ctx, mirror),
        broke: false,
        mirror,
        nics: new Map(seen.nics),
        missing: seen.missing,
        written: new Map(),
        cadence,
      };
      const mineOf = (v: AzureMirrorConfig['vips'][number]) =>
        changes.filter((c) => c.vip === (v.mode === 'ip-config' ? v.privateIp : v.cidr));
      // break-before-make: refuse, before any write, a move whose serial NIC updates cannot fit in the time left
      // (the VIPs move side by side, so the longest chain counts)
      const serial = mirror.vips.map((v) =>
        v.mode === 'ip-config' ? serialOperations(mirror, v, mineOf(v), mc.nics) : 0,
      );
      requireTimeFor(ctx, mirror, Math.max(0, ...serial));
      const moves = mirror.vips.map(async (v) => {
        const mine = mineOf(v);
        if (mine.length === 0) return;
        // each VIP's chain knows whether it removed something (its own `broke`); the NIC cache is shared
        if (v.mode === 'ip-config') return applyIpConfig({ ...mc, broke: false }, v, mine);
        const target = memberOf(mirror, mine[0]?.to ?? '');
        const ip = primaryIpOf(seen.nics.get(target.name));
        if (!ip) throw new ProviderError(`cannot route ${v.cidr} to ${target.name}: its NIC's address is unknown`);
        const routes = seen.routes.get(v.cidr) ?? [];
        // the route each table had when observed (its ETag is quoted on the first attempt)
        const known = (c: PlanChange) => routes[v.routeTables.findIndex((t) => tableSlot(mirror, t) === c.slot)];
        await settleAll(mine.map((c) => moveRoute(mc, v, c, ip, known(c))));
      });
      await settleAll(moves);
    },
    check: (mirror, ctx) => checkAzureMirror(api, mirror, ctx),
  };
}

/** The private slot first, then the public one: the public IP can only join an ip-configuration that exists. */
async function applyIpConfig(mc: MoveContext, v: IpConfigVip, changes: PlanChange[]) {
  const priv = changes.find((c) => c.slot === SLOTS.ipConfig);
  const pub = changes.find((c) => c.slot === SLOTS.publicIp);
  if (priv) await moveIpConfig(mc, v, priv);
  if (pub) await movePublicIp(mc, v, pub);
}
