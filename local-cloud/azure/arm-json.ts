import { ArmError, type IpConfig, type Nic, type Route, type RouteTable } from './arm-state.ts';

/** A NIC as Resource Manager returns it: ARM envelope, `properties`, every ip-configuration with its own id. */
export function nicJson(n: Nic): Record<string, unknown> {
  return {
    name: n.name,
    id: n.id,
    etag: n.etag,
    type: 'Microsoft.Network/networkInterfaces',
    location: n.location,
    properties: {
      ...n.extra,
      provisioningState: n.provisioningState,
      ipConfigurations: n.ipConfigurations.map((c) => ({
        name: c.name,
        id: `${n.id}/ipConfigurations/${c.name}`,
        etag: n.etag,
        type: 'Microsoft.Network/networkInterfaces/ipConfigurations',
        properties: {
          provisioningState: n.provisioningState,
          privateIPAddress: c.privateIPAddress,
          privateIPAllocationMethod: c.privateIPAllocationMethod,
          subnet: { id: c.subnetId },
          primary: c.primary,
          privateIPAddressVersion: 'IPv4',
          ...(c.publicIpId ? { publicIPAddress: { id: c.publicIpId } } : {}),
          ...(c.asgIds?.length ? { applicationSecurityGroups: c.asgIds.map((id) => ({ id })) } : {}),
          ...(c.poolIds?.length ? { loadBalancerBackendAddressPools: c.poolIds.map((id) => ({ id })) } : {}),
        },
      })),
      enableIPForwarding: n.enableIPForwarding,
    },
  };
}

export function routeJson(t: RouteTable, r: Route): Record<string, unknown> {
  return {
    name: r.name,
    id: `${t.id}/routes/${r.name}`,
    etag: r.etag,
    type: 'Microsoft.Network/routeTables/routes',
    properties: {
      provisioningState: r.provisioningState,
      addressPrefix: r.addressPrefix,
      nextHopType: r.nextHopType,
      ...(r.nextHopIpAddress ? { nextHopIpAddress: r.nextHopIpAddress } : {}),
    },
  };
}

export function routeTableJson(t: RouteTable): Record<string, unknown> {
  return {
    name: t.name,
    id: t.id,
    etag: t.etag,
    type: 'Microsoft.Network/routeTables',
    location: t.location,
    properties: { provisioningState: 'Succeeded', routes: [...t.routes.values()].map((r) => routeJson(t, r)) },
  };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const bad = (message: string) => new ArmError(400, 'InvalidRequestFormat', message);
type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

/** Read the ip-configurations of a NIC PUT body; unknown extra fields (model defaults) are accepted, as ARM does. */
export function parseIpConfigs(body: Json): IpConfig[] {
  const props = obj(body.properties);
  const list = props?.ipConfigurations;
  if (!Array.isArray(list)) throw bad('properties.ipConfigurations is required');
  return list.map((raw, i) => {
    const c = obj(raw);
    const p = obj(c?.properties);
    const name = c?.name;
    if (typeof name !== 'string' || !name) throw bad(`ipConfigurations[${i}].name is required`);
    const subnetId = obj(p?.subnet)?.id;
    if (typeof subnetId !== 'string')
      throw new ArmError(400, 'SubnetIsRequired', `ipConfigurations[${i}] (${name}) has no subnet.`);
    const ip = p?.privateIPAddress;
    const method = p?.privateIPAllocationMethod ?? 'Dynamic';
    if (typeof ip !== 'string' || !IPV4.test(ip))
      throw new ArmError(
        400,
        'InvalidPrivateIPAddressFormat',
        `Private IP address "${String(ip)}" of ${name} is not valid (the emulator needs static addresses).`,
      );
    const pip = obj(p?.publicIPAddress)?.id;
    const ids = (v: unknown) =>
      Array.isArray(v) ? v.map((x) => obj(x)?.id).filter((x): x is string => typeof x === 'string') : [];
    return {
      asgIds: ids(p?.applicationSecurityGroups),
      poolIds: ids(p?.loadBalancerBackendAddressPools),
      name,
      privateIPAddress: ip,
      privateIPAllocationMethod: String(method),
      subnetId,
      publicIpId: typeof pip === 'string' ? pip : null,
      primary: p?.primary === true,
    };
  });
}

/** Read a route PUT body: a VirtualAppliance next hop needs an address. */
export function parseRoute(body: Json): Pick<Route, 'addressPrefix' | 'nextHopType' | 'nextHopIpAddress'> {
  const p = obj(body.properties) ?? {};
  const prefix = p.addressPrefix;
  const type = p.nextHopType;
  const hop = p.nextHopIpAddress;
  if (typeof prefix !== 'string' || !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(prefix))
    throw new ArmError(400, 'InvalidAddressPrefix', `addressPrefix "${String(prefix)}" is not valid.`);
  const types = ['VirtualNetworkGateway', 'VnetLocal', 'Internet', 'VirtualAppliance', 'None'];
  if (typeof type !== 'string' || !types.includes(type))
    throw new ArmError(400, 'InvalidNextHopType', `nextHopType "${String(type)}" is not valid.`);
  if (type === 'VirtualAppliance' && (typeof hop !== 'string' || !IPV4.test(hop)))
    throw new ArmError(
      400,
      'NextHopIpAddressMissing',
      'A route with next hop type VirtualAppliance needs nextHopIpAddress.',
    );
  if (type !== 'VirtualAppliance' && hop !== undefined)
    throw new ArmError(
      400,
      'NextHopIpAddressNotAllowed',
      `nextHopIpAddress is only allowed with VirtualAppliance, not ${type}.`,
    );
  return { addressPrefix: prefix, nextHopType: type, nextHopIpAddress: typeof hop === 'string' ? hop : null };
}

/** The resources a NIC PUT body links to, each with the join action Resource Manager checks on it. */
export function linkedScopes(body: Json, configs: IpConfig[]): { scope: string; action: string }[] {
  const nsg = obj(obj(obj(body.properties)?.networkSecurityGroup))?.id;
  const out =
    typeof nsg === 'string' ? [{ scope: nsg, action: 'Microsoft.Network/networkSecurityGroups/join/action' }] : [];
  for (const c of configs) {
    out.push({ scope: c.subnetId, action: 'Microsoft.Network/virtualNetworks/subnets/join/action' });
    if (c.publicIpId) out.push({ scope: c.publicIpId, action: 'Microsoft.Network/publicIPAddresses/join/action' });
    for (const a of c.asgIds ?? [])
      out.push({ scope: a, action: 'Microsoft.Network/applicationSecurityGroups/joinIpConfiguration/action' });
    for (const p of c.poolIds ?? [])
      out.push({ scope: p, action: 'Microsoft.Network/loadBalancers/backendAddressPools/join/action' });
  }
  return [...new Map(out.map((l) => [`${l.scope.toLowerCase()} ${l.action}`, l])).values()];
}

/** NIC fields kept as sent (everything in `properties` except what the emulator interprets or computes). */
export function extraNicProps(body: Json): Json {
  const {
    ipConfigurations: _i,
    provisioningState: _p,
    enableIPForwarding: _f,
    resourceGuid: _g,
    ...rest
  } = obj(body.properties) ?? {};
  return rest;
}
