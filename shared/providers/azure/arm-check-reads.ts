import type { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { NetworkManagementClient } from '@azure/arm-network';
import type { TokenCredential } from '@azure/core-auth';
import type { ArmClientOptions } from './arm-sdk.ts';
import { classifyArmError } from './azure-errors.ts';
import type { NetworkApi, PermissionView } from './network-api.ts';

const rgOf = (id: string) => /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? '';

/**
 * The parts of a Microsoft.Network resource id that Permissions - List For Resource takes: resource group, parent
 * path, type and name (`…/virtualNetworks/v/subnets/s` → parent `virtualNetworks/v`, type `subnets`, name `s`).
 */
export function permissionTarget(id: string) {
  const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)(?:\/providers\/([^/]+)\/(.+))?$/i.exec(id);
  if (!m) throw new Error(`not a resource id: ${id}`);
  const [, resourceGroup = '', namespace, path] = m;
  if (!namespace || !path) return { resourceGroup };
  const parts = path.split('/');
  if (parts.length % 2 !== 0) throw new Error(`not a resource id: ${id}`);
  const name = parts.pop() ?? '';
  const type = parts.pop() ?? '';
  return { resourceGroup, resource: { namespace, parent: parts.join('/'), type, name } };
}

/** Microsoft.Authorization's client (@azure/arm-authorization, api-version 2022-04-01), loaded on first use. */
export function authorizationClient(credential: TokenCredential, subscriptionId: string, o: ArmClientOptions) {
  let made: Promise<AuthorizationManagementClient> | undefined;
  return () => {
    made ??= import('@azure/arm-authorization').then((m) => {
      // a CommonJS package: a bundle with code splitting (dist/cli.mjs) hands its exports over as `default` only
      const lib = 'AuthorizationManagementClient' in m ? m : (m as unknown as { default: typeof m }).default;
      return new lib.AuthorizationManagementClient(credential, subscriptionId, {
        ...(o.endpoint ? { endpoint: o.endpoint } : {}),
        ...(o.ca ? { tlsOptions: { ca: o.ca } } : {}),
        retryOptions: { maxRetries: 0 },
      });
    });
    return made;
  };
}

const rgAndName = (id: string) => {
  const parts = id.split('/');
  return { rg: rgOf(id), parts, name: parts[parts.length - 1] ?? '' };
};

/** The preflight's reads: subnet, public IP, and the caller's permissions at a scope. */
export function checkReads(
  client: NetworkManagementClient,
  authz: () => Promise<AuthorizationManagementClient>,
): Pick<NetworkApi, 'getSubnet' | 'getPublicIp' | 'listPermissions'> {
  const classified = async <T>(op: string, f: () => Promise<T>) => {
    try {
      return await f();
    } catch (e: unknown) {
      throw classifyArmError(op, e);
    }
  };
  return {
    getSubnet: (id, c) =>
      classified('network.subnets.get', async () => {
        const { rg, parts, name } = rgAndName(id);
        const vnet = parts[parts.length - 3] ?? '';
        const s = await client.subnets.get(rg, vnet, name, { abortSignal: c.signal });
        const prefixes = s.addressPrefixes?.length ? s.addressPrefixes : s.addressPrefix ? [s.addressPrefix] : [];
        return { id: s.id ?? id, addressPrefixes: prefixes };
      }),
    getPublicIp: (id, c) =>
      classified('network.publicIPAddresses.get', async () => {
        const { rg, name } = rgAndName(id);
        const p = await client.publicIPAddresses.get(rg, name, { abortSignal: c.signal });
        return {
          id: p.id ?? id,
          sku: p.sku?.name ?? null,
          tier: p.sku?.tier ?? null,
          allocation: p.publicIPAllocationMethod ?? null,
          zones: p.zones ?? [],
        };
      }),
    listPermissions: (scopeId, c) =>
      classified('authorization.permissions.list', async () => {
        const t = permissionTarget(scopeId);
        const perms = (await authz()).permissions;
        const o = { abortSignal: c.signal };
        const r = t.resource;
        const pages = r
          ? perms.listForResource(t.resourceGroup, r.namespace, r.parent, r.type, r.name, o)
          : perms.listForResourceGroup(t.resourceGroup, o);
        const out: PermissionView[] = [];
        for await (const p of pages) out.push({ actions: p.actions ?? [], notActions: p.notActions ?? [] });
        return out;
      }),
  };
}
