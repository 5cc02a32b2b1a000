import type { AzureMirrorConfig, AzureVipConfig } from '../../config/schema-azure.ts';
import { ProviderError } from '../../errors.ts';
import type { Binding, PlanChange } from '../types.ts';
import { type NicView, resourceId, sameId } from './network-api.ts';
import { currentNic, editNic, knownNic, type MoveContext, memberOf } from './nics.ts';

export type IpConfigVip = Extract<AzureVipConfig, { mode: 'ip-config' }>;

/** Slots of an ip-config VIP: the private address (the ip-configuration itself) and the public IP attached to it. */
export const SLOTS = { ipConfig: 'ip-config', publicIp: 'public-ip' } as const;

export const publicIpIdOf = (mirror: AzureMirrorConfig, v: IpConfigVip) =>
  v.publicIp
    ? resourceId(
        mirror.subscriptionId,
        v.publicIp.resourceGroup ?? mirror.resourceGroup,
        'publicIPAddresses',
        v.publicIp.name,
      )
    : null;

const vipConfigOf = (nic: NicView, v: IpConfigVip) => nic.ipConfigs.find((c) => c.privateIp === v.privateIp);

/** Where the VIP's private address and its public IP are, one binding each. */
export function ipConfigBindings(mirror: AzureMirrorConfig, v: IpConfigVip, nics: Map<string, NicView>): Binding[] {
  const find = (has: (nic: NicView) => string | undefined) => {
    for (const m of mirror.members) {
      const nic = nics.get(m.name);
      const cfg = nic && has(nic);
      if (nic && cfg) return { holder: m.name, resource: `${nic.name}/${cfg}` };
    }
    return { holder: null, resource: null };
  };
  const bindings: Binding[] = [
    { vip: v.privateIp, mode: v.mode, slot: SLOTS.ipConfig, ...find((n) => vipConfigOf(n, v)?.name) },
  ];
  const pip = publicIpIdOf(mirror, v);
  if (pip) {
    const at = find((n) => n.ipConfigs.find((c) => sameId(c.publicIpId, pip))?.name);
    bindings.push({ vip: v.privateIp, mode: v.mode, slot: SLOTS.publicIp, ...at });
  }
  return bindings;
}

/** The primary ip-configuration's subnet: the VIP must come from the subnet the NIC already lives in. */
function subnetOf(nic: NicView): string {
  const primary = nic.ipConfigs.find((c) => c.primary) ?? nic.ipConfigs[0];
  if (!primary?.subnetId) throw new ProviderError(`NIC ${nic.name} has no primary ip-configuration with a subnet`);
  return primary.subnetId;
}

/**
 * Move the private VIP: remove its ip-configuration from every other member's NIC, then add it to the target's.
 * The order is forced by Azure: an address allocated on one NIC is refused on another (PrivateIPAddressIsAllocated),
 * and a public IP referenced by one ip-configuration is refused on a second. The public IP rides along when it is
 * free once the old ip-configuration is gone; otherwise the public-ip slot moves it.
 */
export async function moveIpConfig(mc: MoveContext, v: IpConfigVip, c: PlanChange): Promise<void> {
  const target = memberOf(mc.mirror, c.to);
  const pip = publicIpIdOf(mc.mirror, v);
  let publicIpElsewhere = false;
  for (const m of mc.mirror.members.filter((x) => x.name !== target.name && !mc.missing.has(x.name))) {
    await editNic(
      mc,
      m,
      (nic) => {
        const held = vipConfigOf(nic, v);
        if (!held) {
          publicIpElsewhere ||= nic.ipConfigs.some((x) => sameId(x.publicIpId, pip));
          return null;
        }
        if (held.primary) {
          throw new ProviderError(`${nic.name}: the VIP ${v.privateIp} is the NIC's primary address; it cannot move`);
        }
        publicIpElsewhere ||= nic.ipConfigs.some((x) => x !== held && sameId(x.publicIpId, pip));
        return { kind: 'remove-ip-config', name: held.name };
      },
      'remove',
    );
  }
  await editNic(mc, target, (nic) => {
    if (vipConfigOf(nic, v)) return null;
    const onTarget = nic.ipConfigs.some((x) => sameId(x.publicIpId, pip));
    const publicIpId = pip && !publicIpElsewhere && !onTarget ? pip : null;
    return { kind: 'add-ip-config', name: v.ipConfigName, privateIp: v.privateIp, subnetId: subnetOf(nic), publicIpId };
  });
}

/**
 * Move the public VIP onto the target's VIP ip-configuration: detach it from wherever else it is (one ip-config at
 * most may reference it: PublicIPAddressInUse), then attach it. Runs after moveIpConfig, so it is usually a no-op.
 */
export async function movePublicIp(mc: MoveContext, v: IpConfigVip, c: PlanChange): Promise<void> {
  const pip = publicIpIdOf(mc.mirror, v);
  if (!pip) return;
  const target = memberOf(mc.mirror, c.to);
  // the add just made (its LRO Succeeded) says where the public IP is: no read-back of the NIC before deciding
  const targetNic = knownNic(mc, target) ?? (await currentNic(mc, target));
  const vipCfg = vipConfigOf(targetNic, v);
  if (!vipCfg)
    throw new ProviderError(`${c.to} does not hold the VIP ip-configuration; the public IP has nowhere to go`);
  if (sameId(vipCfg.publicIpId, pip)) return;
  for (const m of mc.mirror.members.filter((x) => !mc.missing.has(x.name))) {
    await editNic(
      mc,
      m,
      (nic) => {
        const holder = nic.ipConfigs.find((x) => sameId(x.publicIpId, pip));
        return holder ? { kind: 'set-public-ip', name: holder.name, publicIpId: null } : null;
      },
      'remove',
    );
  }
  await editNic(mc, target, (nic) => {
    const cfg = vipConfigOf(nic, v);
    if (!cfg) throw new ProviderError(`${c.to} lost the VIP ip-configuration while the public IP was moving`);
    return sameId(cfg.publicIpId, pip) ? null : { kind: 'set-public-ip', name: cfg.name, publicIpId: pip };
  });
}

/**
 * The longest chain of NIC updates (LROs, one after the other) an ip-config move makes when it removes anything: a
 * move that only adds cannot strand the VIP, 0. One removal per other member holding the VIP's ip-configuration,
 * then the add (the public IP rides along when its ip-configuration went with the VIP); a public IP held by another
 * ip-configuration is detached (one update per holder) and attached (one more) after that.
 */
export function serialOperations(
  mirror: AzureMirrorConfig,
  v: IpConfigVip,
  changes: readonly PlanChange[],
  nics: Map<string, NicView>,
): number {
  const to = changes[0]?.to;
  const pip = publicIpIdOf(mirror, v);
  const others = mirror.members.filter((m) => m.name !== to).map((m) => nics.get(m.name));
  const removes = changes.some((c) => c.slot === SLOTS.ipConfig)
    ? others.filter((nic) => nic && vipConfigOf(nic, v)).length
    : 0;
  const goesWithVip = (nic: NicView, cfg: NicView['ipConfigs'][number]) =>
    removes > 0 && cfg === vipConfigOf(nic, v) && others.includes(nic);
  const detaches =
    pip && changes.some((c) => c.slot === SLOTS.publicIp)
      ? mirror.members.filter((m) => {
          const nic = nics.get(m.name);
          return nic?.ipConfigs.some((cfg) => sameId(cfg.publicIpId, pip) && !goesWithVip(nic, cfg));
        }).length
      : 0;
  if (removes === 0 && detaches === 0) return 0;
  return (removes > 0 ? removes + 1 : 0) + (detaches > 0 ? detaches + 1 : 0);
}
