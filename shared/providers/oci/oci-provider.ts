import type { OciMemberConfig, OciMirrorConfig } from '../../config/schema-oci.ts';
import { type CallContext, settleAll } from '../../core/retry.ts';
import { ProviderError } from '../../errors.ts';
import { PollCadence } from '../poll-cadence.ts';
import type { Observation, PlanChange, Provider } from '../types.ts';
import { vcnCall } from './calls.ts';
import { checkOciMirror } from './oci-check.ts';
import {
  attachPublicIp,
  movePrivateIp,
  PRIVATE_SLOTS,
  type PrivateIpContext,
  type PrivateIpSeen,
  type PrivateIpVip,
  privateIpBindings,
  readPrivateIp,
  settledPublicIp,
  TRANSITIONAL,
} from './private-ip-moves.ts';
import { moveRouteTable, type RouteVip, readTable, readTables, routeBindings } from './route-moves.ts';
import { type OciSnapshot, ociSnapshot, snapshotPrivateIp, snapshotPublicIp, snapshotRouteTable } from './snapshot.ts';
import type { RouteTableView, VcnApi, VnicView } from './vcn-api.ts';

export interface OciProviderOptions {
  /** How often a public IP's lifecycleState is polled while ASSIGNING (the deadline bounds the wait). */
  pollMs?: number;
  /** The deployment's compartment (MIRROR_VIP_COMPARTMENT_ID): a scheduled reconcile lists public IPs and route tables there. */
  compartmentId?: string;
}

/** What one observation saw, kept for the apply of the same invocation (same CallContext). */
interface Seen {
  privateIps: Map<string, PrivateIpSeen>;
  tables: Map<string, RouteTableView[]>;
  vnics: Map<string, VnicView>;
}

const memberOf = (mirror: OciMirrorConfig, name: string): OciMemberConfig => {
  const m = mirror.members.find((x) => x.name === name);
  if (!m) throw new ProviderError(`${name} is not a member of ${mirror.name}`);
  return m;
};

async function observeAll(api: VcnApi, pc: PrivateIpContext, withWarnings: boolean, snap?: OciSnapshot): Promise<Seen> {
  const { mirror, ctx } = pc;
  const pv = mirror.vips.filter((v): v is PrivateIpVip => v.mode === 'private-ip');
  const rv = mirror.vips.filter((v): v is RouteVip => v.mode === 'route');
  const readPv = async (v: PrivateIpVip): Promise<PrivateIpSeen> => {
    // the deployment's snapshot serves the first observation (a listed private IP has no etag: a move reads it again)
    const listed = snapshotPrivateIp(snap, v);
    const [privateIp, publicIp] = await Promise.all([
      listed !== undefined ? listed : readPrivateIp(pc, v),
      v.publicIpId ? listedOrSettled(pc, v.publicIpId, snap) : Promise.resolve(null),
    ]);
    return { privateIp, publicIp };
  };
  // the VNICs only feed the source/destination check warning of route VIPs: one attempt each, a failure is skipped
  const oneTry = { ...ctx, retry: { ...ctx.retry, maxAttempts: 1 } };
  const readVnic = (m: OciMemberConfig) =>
    vcnCall(oneTry, 'getVnic', (signal) => api.getVnic(m.vnicId, { signal })).then(
      (n) => [m.name, n] as const,
      () => undefined,
    );
  const [pvs, tables, vnics] = await Promise.all([
    Promise.all(pv.map(readPv)),
    Promise.all(rv.map((v) => readTables(api, ctx, v, (id) => snapshotRouteTable(snap, id)))),
    withWarnings && rv.length > 0 ? Promise.all(mirror.members.map(readVnic)) : Promise.resolve([]),
  ]);
  return {
    privateIps: new Map(pv.map((v, i) => [v.address, pvs[i] as PrivateIpSeen])),
    tables: new Map(rv.map((v, i) => [v.cidr, tables[i] ?? []])),
    vnics: new Map(vnics.filter((x) => x !== undefined)),
  };
}

/** A public IP the snapshot listed settled (ASSIGNED, AVAILABLE…); else (not listed, or mid-move) read and polled. */
function listedOrSettled(pc: PrivateIpContext, id: string, snap?: OciSnapshot) {
  const listed = snapshotPublicIp(snap, id);
  return listed && !TRANSITIONAL.has(listed.lifecycleState) ? Promise.resolve(listed) : settledPublicIp(pc, id);
}

function warnings(mirror: OciMirrorConfig, seen: Seen): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of mirror.members) {
    if (seen.vnics.get(m.name)?.skipSourceDestCheck === false) {
      out[m.name] = [
        `skip source/destination check is off on ${m.vnicId} (${m.name}): packets routed to the VIP would be dropped`,
      ];
    }
  }
  return out;
}

/** One private-ip VIP's changes, in order: the private IP first (its public IP follows it), then the public IP. */
async function movePrivateIpVip(pc: PrivateIpContext, v: PrivateIpVip, changes: PlanChange[], seen: PrivateIpSeen) {
  const target = memberOf(pc.mirror, changes[0]?.to ?? '');
  if (changes.some((c) => c.slot === PRIVATE_SLOTS.privateIp)) await movePrivateIp(pc, v, target, seen);
  if (v.publicIpId) await attachPublicIp(pc, v, seen);
}

/**
 * OCI moves. Mode `private-ip` (seed 004): the secondary private IP goes to the target's VNIC and its reserved
 * public IP follows it to ASSIGNED. Mode `route`: the VIP/32 rule of each route table points at the target's
 * private IP, all tables in parallel. Different VIPs move concurrently.
 */
export function ociProvider(api: VcnApi, options: OciProviderOptions = {}): Provider<OciMirrorConfig> {
  const lastSeen = new WeakMap<CallContext, Seen>();
  const pollMs = options.pollMs ?? 1000;
  // what this instance learns of how long a public IP stays ASSIGNING (shared/providers/poll-cadence.ts)
  const cadence = new PollCadence();
  const pcOf = (mirror: OciMirrorConfig, ctx: CallContext): PrivateIpContext => ({ api, ctx, mirror, pollMs, cadence });
  return {
    async observe(mirror, ctx, o): Promise<Observation> {
      const snap = o?.snapshot as OciSnapshot | undefined;
      const seen = await observeAll(api, pcOf(mirror, ctx), o?.warnings !== false, snap);
      lastSeen.set(ctx, seen);
      const bindings = mirror.vips.flatMap((v) =>
        v.mode === 'private-ip'
          ? privateIpBindings(mirror, v, seen.privateIps.get(v.address) ?? { privateIp: null, publicIp: null })
          : routeBindings(mirror, v, seen.tables.get(v.cidr) ?? []),
      );
      return { bindings, memberWarnings: warnings(mirror, seen) };
    },
    snapshot: (mirrors, ctx) => ociSnapshot(api, mirrors, ctx, options.compartmentId),
    async apply(mirror, changes, ctx) {
      const pc = pcOf(mirror, ctx);
      const seen = lastSeen.get(ctx) ?? (await observeAll(api, pc, false));
      const moves: Promise<void>[] = [];
      for (const v of mirror.vips) {
        const mine = changes.filter((c) => c.vip === (v.mode === 'route' ? v.cidr : v.address));
        if (mine.length === 0) continue;
        if (v.mode === 'private-ip') {
          const s = seen.privateIps.get(v.address) ?? { privateIp: null, publicIp: null };
          moves.push(movePrivateIpVip(pc, v, mine, s));
          continue;
        }
        // one move per route table slot, all in parallel
        for (const c of mine) {
          const table = seen.tables.get(v.cidr)?.find((t) => t.id === c.slot);
          if (!table) continue;
          // a listed table has no etag: GetRouteTable first, so the write's if-match is the table's own
          const read = table.etag ? Promise.resolve(table) : readTable(api, ctx, table.id);
          moves.push(read.then((t) => moveRouteTable(api, ctx, mirror, v, memberOf(mirror, c.to), t)));
        }
      }
      await settleAll(moves);
    },
    check: (mirror, ctx) => checkOciMirror(api, mirror, ctx),
  };
}
