import type { GcpMirrorConfig } from '../../config/schema.ts';
import { type CheckFinding, errored, fail, pass } from '../../core/check.ts';
import { type CallContext, call } from '../../core/retry.ts';
import { cidrInside } from '../aws/check-parts.ts';
import type { GcpCheckApi } from './check-sdk.ts';
import type { CallOptions } from './compute-api.ts';

type Member = GcpMirrorConfig['members'][number];
type Scope = 'instance' | 'subnetwork' | 'project';

/** The permissions a mirror's moves use, per scope, as terraform/gcp/locals.tf grants them (GCP_PERMISSIONS_BY_CALL). */
export function movePermissions(m: GcpMirrorConfig): Record<Scope, string[]> {
  const alias = m.vips.some((v) => v.mode === 'alias-ip');
  const access = m.vips.some((v) => v.mode === 'alias-ip' && v.accessConfig);
  const route = m.vips.some((v) => v.mode === 'route');
  return {
    instance: [
      'compute.instances.get',
      ...(alias ? ['compute.instances.updateNetworkInterface'] : []),
      ...(access ? ['compute.instances.addAccessConfig', 'compute.instances.deleteAccessConfig'] : []),
      ...(route ? ['compute.instances.use'] : []),
    ],
    subnetwork: [
      ...(alias ? ['compute.subnetworks.use'] : []),
      ...(access ? ['compute.subnetworks.useExternalIp'] : []),
    ],
    project: [
      ...(alias ? ['compute.zoneOperations.get'] : []),
      ...(access ? ['compute.addresses.use'] : []),
      ...(route
        ? [
            'compute.globalOperations.get',
            'compute.networks.updatePolicy',
            'compute.routes.create',
            'compute.routes.delete',
            'compute.routes.get',
            'compute.routes.list',
          ]
        : []),
    ],
  };
}

const ROLE: Record<Scope, string> = {
  instance: 'the instance role of terraform/gcp/iam.tf, granted on this instance',
  subnetwork: 'the subnetwork role of terraform/gcp/iam.tf, granted on this subnet',
  project: 'the project role of terraform/gcp/iam.tf',
};

async function guarded(w: Omit<CheckFinding, 'status' | 'reason'>, run: () => Promise<CheckFinding[]>) {
  try {
    return await run();
  } catch (e: unknown) {
    return [errored(w, e)];
  }
}

const opts = (ctx: CallContext): CallOptions => ({
  timeoutMs: Math.max(1, ctx.deadline - Date.now()),
  signal: ctx.signal,
});

function permissionFinding(w: Omit<CheckFinding, 'status' | 'reason'>, scope: Scope, want: string[], held: string[]) {
  const missing = want.filter((p) => !held.includes(p));
  if (missing.length === 0) return pass(w, `testIamPermissions: all ${want.length} held (${want.join(', ')})`);
  return fail(
    w,
    `testIamPermissions: missing ${missing.join(', ')}`,
    `grant ${missing.join(', ')} through ${ROLE[scope]}`,
  );
}

const subnetName = (link: string) => /subnetworks\/([^/]+)$/.exec(link)?.[1] ?? link;

/** One member as the target of a move: its instance rights, its subnet's rights and ranges, canIpForward. */
async function memberChecks(api: GcpCheckApi, m: GcpMirrorConfig, mem: Member, ctx: CallContext) {
  const want = movePermissions(m);
  const w = (check: string, resource: string) => ({ mirror: m.name, target: mem.name, check, resource });
  const ref = { project: m.project, zone: mem.zone, instance: mem.instance };
  const iw = w('gcp.permission.instance', `zones/${mem.zone}/instances/${mem.instance}`);
  return guarded(iw, async () => {
    const [facts, held] = await Promise.all([
      call(ctx, 'compute.instances.get', false, () => api.instance(ref, opts(ctx))),
      call(ctx, 'compute.instances.testIamPermissions', false, () =>
        api.testInstance({ ...ref, permissions: want.instance }, opts(ctx)),
      ),
    ]);
    const out = [permissionFinding(iw, 'instance', want.instance, held)];
    const subnetwork = subnetName(facts.subnetwork);
    const sref = { project: m.project, region: m.region, subnetwork };
    const sw = w('gcp.permission.subnetwork', `regions/${m.region}/subnetworks/${subnetwork}`);
    if (want.subnetwork.length)
      out.push(
        ...(await guarded(sw, async () => {
          const h = await call(ctx, 'compute.subnetworks.testIamPermissions', false, () =>
            api.testSubnetwork({ ...sref, permissions: want.subnetwork }, opts(ctx)),
          );
          return [permissionFinding(sw, 'subnetwork', want.subnetwork, h)];
        })),
      );
    for (const v of m.vips) {
      if (v.mode === 'route') {
        const fw = w('gcp.canIpForward', `zones/${mem.zone}/instances/${mem.instance}`);
        out.push(
          facts.canIpForward
            ? pass(fw, 'canIpForward is true: the instance accepts packets for the VIP')
            : fail(
                fw,
                'canIpForward is false: packets routed to the VIP are dropped',
                'recreate the instance with --can-ip-forward (it is set at creation only)',
              ),
        );
      }
    }
    if (m.vips.some((v) => v.mode === 'alias-ip'))
      out.push(...(await guarded({ ...sw, check: 'gcp.aliasRange' }, () => rangeChecks(api, m, mem, sref, ctx))));
    return out;
  });
}

/** Every alias VIP fits the subnet's primary range, or the secondary range it names. */
async function rangeChecks(
  api: GcpCheckApi,
  m: GcpMirrorConfig,
  mem: Member,
  sref: { project: string; region: string; subnetwork: string },
  ctx: CallContext,
) {
  const s = await call(ctx, 'compute.subnetworks.get', false, () => api.subnetwork(sref, opts(ctx)));
  return m.vips.flatMap((v) => {
    if (v.mode !== 'alias-ip') return [];
    const w = {
      mirror: m.name,
      target: mem.name,
      check: 'gcp.aliasRange',
      resource: `regions/${m.region}/subnetworks/${sref.subnetwork}`,
    };
    const range = v.subnetworkRangeName
      ? s.secondary.find((r) => r.rangeName === v.subnetworkRangeName)
      : { rangeName: 'primary', ipCidrRange: s.ipCidrRange };
    if (!range)
      return [
        fail(
          w,
          `the subnet has no secondary range ${v.subnetworkRangeName} (has ${s.secondary.map((r) => r.rangeName).join(', ') || 'none'})`,
          `add the secondary range ${v.subnetworkRangeName} to ${sref.subnetwork}, or fix subnetworkRangeName`,
        ),
      ];
    return cidrInside(v.cidr, range.ipCidrRange)
      ? [pass(w, `${v.cidr} lies in the ${range.rangeName} range ${range.ipCidrRange}`)]
      : [
          fail(
            w,
            `${v.cidr} is outside the ${range.rangeName} range ${range.ipCidrRange}`,
            `choose a VIP inside ${range.ipCidrRange}, or set subnetworkRangeName to the range that holds it`,
          ),
        ];
  });
}

/** The project-level rights (Resource Manager projects.testIamPermissions) and each public VIP's address and tier. */
async function mirrorChecks(api: GcpCheckApi, m: GcpMirrorConfig, ctx: CallContext): Promise<CheckFinding[]> {
  const want = movePermissions(m).project;
  const pw = { mirror: m.name, target: null, check: 'gcp.permission.project', resource: `projects/${m.project}` };
  const project = want.length
    ? guarded(pw, async () => {
        const held = await call(ctx, 'cloudresourcemanager.projects.testIamPermissions', false, () =>
          api.testProject({ project: m.project, permissions: want }, opts(ctx)),
        );
        return [permissionFinding(pw, 'project', want, held)];
      })
    : Promise.resolve([]);
  const addresses = m.vips.map((v) => {
    if (v.mode !== 'alias-ip' || !v.accessConfig) return Promise.resolve([]);
    const ac = v.accessConfig;
    const w = { mirror: m.name, target: null, check: 'gcp.externalAddress', resource: ac.natIP };
    return guarded(w, async () => {
      const a = await call(ctx, 'compute.addresses.list', false, () =>
        api.externalAddress({ project: m.project, region: m.region, ip: ac.natIP }, opts(ctx)),
      );
      if (!a)
        return [
          fail(
            w,
            `no reserved external address ${ac.natIP} in ${m.region}`,
            `gcloud compute addresses create --region ${m.region} (a static external address), and set natIP to it`,
          ),
        ];
      if (ac.networkTier && a.networkTier !== ac.networkTier)
        return [
          fail(
            w,
            `address ${a.name} is ${a.networkTier}, the configuration asks ${ac.networkTier}`,
            `set accessConfig.networkTier to ${a.networkTier}`,
          ),
        ];
      return [pass(w, `reserved as ${a.name}, tier ${a.networkTier}`)];
    });
  });
  return (await Promise.all([project, ...addresses])).flat();
}

/** The GCP preflight of one mirror: testIamPermissions and reads only (zero writes). */
export function gcpCheck(api: () => Promise<GcpCheckApi>) {
  return async (m: GcpMirrorConfig, ctx: CallContext): Promise<CheckFinding[]> => {
    const a = await api();
    const found = await Promise.all([mirrorChecks(a, m, ctx), ...m.members.map((mem) => memberChecks(a, m, mem, ctx))]);
    return found.flat();
  };
}
