import type { GcpMirrorConfig, GcpVipConfig } from '../../config/schema.ts';
import { type CallContext, settleSlots } from '../../core/retry.ts';
import { commitContext, requireTimeFor } from '../budget.ts';
import type { Binding, Observation, PlanChange, Provider } from '../types.ts';
import {
  checkAccessConfigTarget,
  type MoveContext,
  memberOf,
  moveAccessConfig,
  moveAlias,
  sameRange,
} from './alias-moves.ts';
import { InstanceLanes } from './budget.ts';
import type { ComputeApi, NicView, RouteView } from './compute-api.ts';
import { API_CODES, apiCodeOf } from './gcp-errors.ts';
import { readNic } from './operations.ts';
import { effectiveRoutes, listVipRoutes, moveRoute, type RouteVip, routeBindings } from './route-moves.ts';
import { type GcpSnapshot, gcpSnapshot, snapshotNics, snapshotRoutes } from './snapshot.ts';

/** Slots of an alias-ip VIP: the private alias range and the public access config. */
export const SLOTS = { alias: 'alias', accessConfig: 'access-config' } as const;

/** What one observation saw, kept for the apply of the same invocation (same CallContext) to reuse. */
interface Seen {
  nics: Map<string, NicView>;
  /** Members whose instance the API says does not exist. */
  missing: string[];
  routes: Map<string, RouteView[]>;
}

async function readNics(api: ComputeApi, ctx: CallContext, mirror: GcpMirrorConfig, required: boolean) {
  // for route mode the reads only feed warnings: one attempt each, a failure is skipped
  const c = required ? ctx : { ...ctx, retry: { ...ctx.retry, maxAttempts: 1 } };
  const missing: string[] = [];
  const read = (m: GcpMirrorConfig['members'][number]) =>
    readNic(api, c, mirror.project, m).then(
      (nic) => [m.name, nic] as const,
      (e: unknown) => {
        // a deleted instance holds no address; anything else unknown would make the observation a guess
        const gone = apiCodeOf(e) === API_CODES.notFound;
        if (gone) missing.push(m.name);
        if (required && !gone) throw e;
        return undefined;
      },
    );
  const pairs = await Promise.all(mirror.members.map(read));
  return { nics: new Map(pairs.filter((p) => p !== undefined)), missing };
}

function aliasBindings(
  mirror: GcpMirrorConfig,
  v: Extract<GcpVipConfig, { mode: 'alias-ip' }>,
  nics: Map<string, NicView>,
) {
  const holderOf = (has: (nic: NicView) => boolean) =>
    mirror.members.find((m) => nics.get(m.name) && has(nics.get(m.name) as NicView));
  const aliasHolder = holderOf((n) => n.aliasRanges.some((r) => sameRange(r.ipCidrRange, v.cidr)));
  const bindings: Binding[] = [
    {
      vip: v.cidr,
      mode: v.mode,
      slot: SLOTS.alias,
      holder: aliasHolder?.name ?? null,
      resource: aliasHolder ? `${aliasHolder.zone}/${aliasHolder.instance}` : null,
    },
  ];
  const natIP = v.accessConfig?.natIP;
  if (natIP) {
    const h = holderOf((n) => n.accessConfigs.some((a) => a.natIP === natIP));
    bindings.push({
      vip: v.cidr,
      mode: v.mode,
      slot: SLOTS.accessConfig,
      holder: h?.name ?? null,
      resource: h ? `${h.zone}/${h.instance}` : null,
    });
  }
  return bindings;
}

function warnings(mirror: GcpMirrorConfig, seen: Seen): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (member: string, w: string) => {
    out[member] = [...(out[member] ?? []), w];
  };
  externalIpWarnings(mirror, seen, add);
  for (const name of seen.missing) {
    const m = mirror.members.find((x) => x.name === name);
    for (const other of mirror.members) add(other.name, `instance ${m?.zone}/${m?.instance} (${name}) does not exist`);
  }
  const routeVips = mirror.vips.filter((v): v is RouteVip => v.mode === 'route');
  if (routeVips.length === 0) return out;
  for (const m of mirror.members) {
    if (seen.nics.get(m.name)?.canIpForward === false) {
      add(
        m.name,
        `IP forwarding is off on ${m.zone}/${m.instance} (${m.name}): packets routed to the VIP would be dropped`,
      );
    }
  }
  for (const v of routeVips) {
    const routes = seen.routes.get(v.cidr) ?? [];
    const best = new Set(effectiveRoutes(routes).map((r) => r.name));
    for (const r of routes.filter((x) => routes.length > 1 && !best.has(x.name))) {
      for (const m of mirror.members)
        add(m.name, `route ${r.name} (priority ${r.priority}) for ${v.cidr} is inert and is deleted by the next move`);
    }
  }
  return out;
}

/**
 * The longest chain of operations an alias-ip move makes one after the other, when it removes anything (a move
 * that only adds cannot strand the VIP). One operation at a time per instance: remove the alias on the holder;
 * then delete its access config while the alias is added on the target; then add the access config: 3 with the
 * public VIP, 2 without. Route moves insert before they delete and never strand the VIP: 0.
 */
function serialOperations(mirror: GcpMirrorConfig, changes: readonly PlanChange[]): number {
  const removes = changes.filter(
    (c) => c.mode === 'alias-ip' && c.from !== null && c.from !== c.to && mirror.members.some((m) => m.name === c.from),
  );
  if (removes.length === 0) return 0;
  return removes.some((c) => c.slot === SLOTS.accessConfig) && removes.some((c) => c.slot === SLOTS.alias) ? 3 : 2;
}

/** Rule of Compute: one access config per NIC, so a member with another external IP can never take the public VIP. */
function externalIpWarnings(mirror: GcpMirrorConfig, seen: Seen, add: (member: string, w: string) => void) {
  const natIPs = mirror.vips.flatMap((v) => (v.mode === 'alias-ip' && v.accessConfig ? [v.accessConfig.natIP] : []));
  if (natIPs.length === 0) return;
  for (const m of mirror.members) {
    const other = seen.nics.get(m.name)?.accessConfigs.find((a) => !a.natIP || !natIPs.includes(a.natIP));
    if (!other) continue;
    add(
      m.name,
      `${m.name} nic0 has access config "${other.name}" (${other.natIP ?? 'ephemeral'}): GCP allows one per interface, so the public VIP cannot move there; remove it with: gcloud compute instances delete-access-config ${m.instance} --zone ${m.zone} --access-config-name "${other.name}"`,
    );
  }
}

/**
 * GCP moves. Mode `alias-ip`: the alias range on nic0 (and optionally the access config holding the static public
 * address) goes from the holder to the target. Mode `route`: a static route VIP/32 → next-hop instance, replaced
 * make-before-break. The private and public chains, and different VIPs, run concurrently.
 */
export function gcpProvider(api: ComputeApi): Provider<GcpMirrorConfig> {
  const lastSeen = new WeakMap<CallContext, Seen>();
  const observeAll = async (
    mirror: GcpMirrorConfig,
    ctx: CallContext,
    withWarnings = true,
    snap?: GcpSnapshot,
  ): Promise<Seen> => {
    const routeVips = mirror.vips.filter((v): v is RouteVip => v.mode === 'route');
    const needNics = mirror.vips.some((v) => v.mode === 'alias-ip');
    // in route mode the NICs only feed warnings (IP forwarding off): a read-back skips them
    const noNics = Promise.resolve({ nics: new Map<string, NicView>(), missing: [] as string[] });
    // the deployment's snapshot serves the first observation; fingerprints from it are quoted like any read's
    const listed = snapshotNics(snap, mirror);
    const [{ nics, missing }, routeLists] = await Promise.all([
      listed ? { nics: listed, missing: [] } : needNics || withWarnings ? readNics(api, ctx, mirror, needNics) : noNics,
      Promise.all(
        routeVips.map(
          async (v) => snapshotRoutes(snap, mirror.project, v) ?? (await listVipRoutes(api, ctx, mirror.project, v)),
        ),
      ),
    ]);
    const seen = { nics, missing, routes: new Map(routeVips.map((v, i) => [v.cidr, routeLists[i] ?? []])) };
    lastSeen.set(ctx, seen);
    return seen;
  };
  return {
    async observe(mirror, ctx, options): Promise<Observation> {
      const snap = options?.snapshot as GcpSnapshot | undefined;
      const seen = await observeAll(mirror, ctx, options?.warnings !== false, snap);
      const bindings = mirror.vips.flatMap((v) =>
        v.mode === 'alias-ip'
          ? aliasBindings(mirror, v, seen.nics)
          : routeBindings(mirror, v, seen.routes.get(v.cidr) ?? []),
      );
      return { bindings, memberWarnings: warnings(mirror, seen) };
    },
    snapshot: (mirrors, ctx) => gcpSnapshot(api, mirrors, ctx),
    async apply(mirror, changes, ctx) {
      const seen = lastSeen.get(ctx) ?? (await observeAll(mirror, ctx));
      const lanes = new InstanceLanes();
      const mc: MoveContext = { api, ctx, commit: commitContext(ctx, mirror), mirror, nics: seen.nics, lanes };
      const vipOf = (c: PlanChange) => mirror.vips.find((v) => v.cidr === c.vip);
      // refuse a predictable failure before the first write rather than half way through
      for (const c of changes) {
        const v = vipOf(c);
        if (v?.mode === 'alias-ip' && c.slot === SLOTS.accessConfig) checkAccessConfigTarget(mc, v, c);
      }
      requireTimeFor(ctx, mirror, serialOperations(mirror, changes));
      // one move per slot, reported per slot; every change of a route VIP shares one make-before-break
      const routeMoves = new Map<string, Promise<void>>();
      return settleSlots(changes, (c) => {
        const v = vipOf(c);
        if (v?.mode === 'alias-ip') return c.slot === SLOTS.alias ? moveAlias(mc, v, c) : moveAccessConfig(mc, v, c);
        if (v?.mode !== 'route') return Promise.resolve();
        const key = `${v.cidr}>${c.to}`;
        let move = routeMoves.get(key);
        if (!move) {
          move = moveRoute(api, ctx, mirror, v, memberOf(mirror, c.to), seen.routes.get(v.cidr) ?? []);
          routeMoves.set(key, move);
        }
        return move;
      });
    },
  };
}
