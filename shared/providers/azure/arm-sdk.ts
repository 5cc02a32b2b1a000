import {
  type NetworkInterface,
  type NetworkInterfaceIPConfiguration,
  NetworkManagementClient,
} from '@azure/arm-network';
import type { TokenCredential } from '@azure/core-auth';
import { authorizationClient, checkReads } from './arm-check-reads.ts';
import { classifyArmError, operationFailure } from './azure-errors.ts';
import type {
  CallOptions,
  IpConfigView,
  Lro,
  NetworkApi,
  NicEdit,
  NicView,
  RouteRef,
  RouteView,
} from './network-api.ts';
import { snapshotReads } from './snapshot-sdk.ts';

export interface ArmClientOptions {
  /** Resource Manager base URL; default https://management.azure.com. */
  endpoint?: string;
  /** Extra CA certificates (PEM) to trust, e.g. an emulator's self-signed certificate. */
  ca?: string;
}

const rgOf = (id: string | undefined) => /\/resourceGroups\/([^/]+)/i.exec(id ?? '')?.[1] ?? '';

function ipConfigView(c: NetworkInterfaceIPConfiguration): IpConfigView {
  return {
    name: c.name ?? '',
    primary: c.primary === true,
    privateIp: c.privateIPAddress ?? null,
    subnetId: c.subnet?.id ?? null,
    publicIpId: c.publicIPAddress?.id ?? null,
    asgIds: (c.applicationSecurityGroups ?? []).flatMap((a) => (a.id ? [a.id] : [])),
    poolIds: (c.loadBalancerBackendAddressPools ?? []).flatMap((p) => (p.id ? [p.id] : [])),
  };
}

export function nicView(n: NetworkInterface): NicView {
  return {
    id: n.id ?? '',
    name: n.name ?? '',
    resourceGroup: rgOf(n.id),
    etag: n.etag ?? '',
    ipForwarding: n.enableIPForwarding === true,
    nsgId: n.networkSecurityGroup?.id ?? null,
    ipConfigs: (n.ipConfigurations ?? []).map(ipConfigView),
    model: n,
  };
}

/** The NIC as read with one edit applied: every other field goes back as it was (a PUT resets what it omits). */
export function editedNic(model: NetworkInterface, edit: NicEdit): NetworkInterface {
  const configs = model.ipConfigurations ?? [];
  const ref = (id: string | null) => (id ? { id } : undefined);
  if (edit.kind === 'remove-ip-config') {
    return { ...model, ipConfigurations: configs.filter((c) => c.name !== edit.name) };
  }
  if (edit.kind === 'set-public-ip') {
    const ipConfigurations = configs.map((c) =>
      c.name === edit.name ? { ...c, publicIPAddress: ref(edit.publicIpId) } : c,
    );
    return { ...model, ipConfigurations };
  }
  const vip: NetworkInterfaceIPConfiguration = {
    name: edit.name,
    privateIPAddress: edit.privateIp,
    privateIPAllocationMethod: 'Static',
    privateIPAddressVersion: 'IPv4',
    primary: false,
    subnet: { id: edit.subnetId },
    publicIPAddress: ref(edit.publicIpId),
  };
  return { ...model, ipConfigurations: [...configs.filter((c) => c.name !== edit.name), vip] };
}

interface PollerShape {
  readonly isDone: boolean;
  /** @azure/core-lro's live state: `config.resourceLocation` is the URL of the GET it makes once Succeeded. */
  readonly operationState?: unknown;
  submitted(): Promise<void>;
  poll(o: { abortSignal: AbortSignal }): Promise<unknown>;
}

/**
 * Send the initial request of a poller and wrap it as an Lro we pace ourselves (pollUntilDone would obey
 * Retry-After). Once the operation Succeeded the poller would GET the resource (a PUT's final state); that read is
 * one more serial round before the next write, and nothing here uses its answer (the convergence read-back reads
 * every binding anyway), so it is skipped as core-lro's own `skipFinalGet` option does, which arm-network 39 does
 * not pass through.
 */
async function started(op: string, target: string, poller: PollerShape): Promise<Lro> {
  try {
    await poller.submitted();
  } catch (e: unknown) {
    throw classifyArmError(op, e);
  }
  const config = (poller.operationState as { config?: { resourceLocation?: string } } | undefined)?.config;
  if (config) config.resourceLocation = undefined;
  return {
    get done() {
      return poller.isDone;
    },
    /** One status read (no final GET: see above); true once Succeeded, throws once Failed/Canceled. */
    async poll(o: CallOptions) {
      try {
        await poller.poll({ abortSignal: o.signal });
      } catch (e: unknown) {
        const rest = e as { statusCode?: number };
        // an HTTP error of the poll itself may be retried; a status of Failed/Canceled ends the operation
        if (rest.statusCode !== undefined) throw classifyArmError('network.asyncOperations.get', e);
        throw operationFailure(op, target, e);
      }
      return poller.isDone;
    },
  };
}

/** The NetworkApi over @azure/arm-network (API 2026-01-01), with the SDK's own retries off: every attempt is ours. */
export function sdkNetworkApi(
  credential: TokenCredential,
  subscriptionId: string,
  o: ArmClientOptions = {},
): NetworkApi {
  const client = new NetworkManagementClient(credential, subscriptionId, {
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.ca ? { tlsOptions: { ca: o.ca } } : {}),
    retryOptions: { maxRetries: 0 },
  });
  const headers = (h: Record<string, string>) => ({ requestOptions: { headers: h } });
  const authz = authorizationClient(credential, subscriptionId, o);
  return {
    ...checkReads(client, authz),
    ...snapshotReads(client),
    async getNic(ref, c) {
      try {
        return nicView(await client.networkInterfaces.get(ref.resourceGroup, ref.name, { abortSignal: c.signal }));
      } catch (e: unknown) {
        throw classifyArmError('network.networkInterfaces.get', e);
      }
    },
    putNic(nic, edit, c) {
      const op = 'network.networkInterfaces.createOrUpdate';
      const body = editedNic(nic.model as NetworkInterface, edit);
      const poller = client.networkInterfaces.createOrUpdate(nic.resourceGroup, nic.name, body, {
        abortSignal: c.signal,
        ...headers({ 'If-Match': nic.etag }),
      });
      // the NIC as this PUT leaves it: read the way a GET is read, the ETag the one quoted
      const sent = nicView({ ...body, etag: nic.etag });
      return started(op, nic.name, poller).then((lro) => Object.assign(lro, { sent }));
    },
    async getRoute(ref: RouteRef, c): Promise<RouteView | null> {
      try {
        const r = await client.routes.get(ref.resourceGroup, ref.table, ref.name, { abortSignal: c.signal });
        return {
          etag: r.etag ?? '',
          addressPrefix: r.addressPrefix ?? '',
          nextHopType: r.nextHopType ?? '',
          nextHopIpAddress: r.nextHopIpAddress ?? null,
        };
      } catch (e: unknown) {
        if ((e as { statusCode?: number }).statusCode === 404) return null;
        throw classifyArmError('network.routes.get', e);
      }
    },
    putRoute(ref, route, etag, c) {
      const body = { ...route, nextHopType: 'VirtualAppliance' };
      const poller = client.routes.createOrUpdate(ref.resourceGroup, ref.table, ref.name, body, {
        abortSignal: c.signal,
        ...headers(etag ? { 'If-Match': etag } : { 'If-None-Match': '*' }),
      });
      return started('network.routes.createOrUpdate', `${ref.table}/${ref.name}`, poller);
    },
  };
}
