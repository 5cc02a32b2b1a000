import { AsyncLocalStorage } from 'node:async_hooks';
import * as common from 'oci-common';
import { requests, VirtualNetworkClient } from 'oci-core';
import type { ListPage } from '../all-pages.ts';
import type { CallOptions, PrivateIpView, PublicIpState, PublicIpView, RouteRuleView, VcnApi } from './vcn-api.ts';

/** The abort signal of the call in progress, read by fetch through the client's httpOptions. */
const currentSignal = new AsyncLocalStorage<AbortSignal>();

export interface OciSdkOptions {
  auth: common.AuthenticationDetailsProvider;
  region: string;
  /** Overrides the region's endpoint (an emulator): base URL, the SDK appends /20160918. */
  endpoint?: string;
}

/** The SDK's clients retry nothing and trip no circuit breaker: mirror-vip's call() retries, under one deadline. */
export const NO_SDK_RETRY: common.ClientConfiguration = {
  retryConfiguration: { terminationStrategy: new common.MaxAttemptsTerminationStrategy(1) },
  circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true } as never),
  // fetch reads init.signal when it sends, so each call gets its invocation's deadline
  httpOptions: {
    get signal() {
      return currentSignal.getStore();
    },
  },
};

const withSignal = <T>(o: CallOptions, fn: () => Promise<T>) => currentSignal.run(o.signal, fn);

const privateIp = (p: { privateIp: Record<string, unknown>; etag?: string }): PrivateIpView => ({
  id: String(p.privateIp.id),
  ipAddress: String(p.privateIp.ipAddress),
  vnicId: (p.privateIp.vnicId as string | undefined) ?? null,
  subnetId: String(p.privateIp.subnetId),
  isPrimary: p.privateIp.isPrimary === true,
  etag: p.etag ?? '',
});

const publicIp = (p: { publicIp: Record<string, unknown>; etag?: string }): PublicIpView => ({
  id: String(p.publicIp.id),
  ipAddress: String(p.publicIp.ipAddress),
  lifecycleState: String(p.publicIp.lifecycleState) as PublicIpState,
  privateIpId:
    (p.publicIp.assignedEntityId as string | undefined) ?? (p.publicIp.privateIpId as string | undefined) ?? null,
  etag: p.etag ?? '',
  lifetime: (p.publicIp.lifetime as string | undefined) ?? null,
});

type WireRule = Partial<RouteRuleView> & { networkEntityId: string };
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Rules as read: every field the model has; a deprecated cidrBlock rule also gets the destination it stands for. */
const rules = (r: unknown): RouteRuleView[] =>
  ((r as WireRule[] | undefined) ?? []).map((x) => {
    const cidrBlock = text(x.cidrBlock);
    const [description, routeType] = [text(x.description), text(x.routeType)];
    return {
      destination: text(x.destination) ?? cidrBlock ?? '',
      destinationType: text(x.destinationType) ?? 'CIDR_BLOCK',
      ...(cidrBlock !== undefined ? { cidrBlock } : {}),
      networkEntityId: x.networkEntityId,
      ...(description !== undefined ? { description } : {}),
      ...(routeType !== undefined ? { routeType } : {}),
    };
  });

/** A rule as UpdateRouteTable takes it: in the form it was read (the API refuses cidrBlock beside destination). */
const wireRule = ({ cidrBlock, destination, destinationType, ...rest }: RouteRuleView): WireRule =>
  cidrBlock !== undefined ? { cidrBlock, ...rest } : { destination, destinationType, ...rest };

/** A list request's paging: 1000, the largest `limit` OCI's list calls take (API reference), from `page` on. */
const pageAsk = (page: string | undefined) => ({ limit: 1000, ...(page ? { page } : {}) });

/** One page of a list answer: its items, and `opc-next-page` as `next` when there is another page. */
const pageOf = <T>(items: T[], next: string | undefined): ListPage<T> => ({ items, ...(next ? { next } : {}) });

/** The narrow client over oci-core's VirtualNetworkClient. */
export function sdkVcnApi(opts: OciSdkOptions): VcnApi {
  const client = new VirtualNetworkClient({ authenticationDetailsProvider: opts.auth }, NO_SDK_RETRY);
  if (opts.endpoint) client.endpoint = opts.endpoint;
  else client.regionId = opts.region;
  return {
    getPrivateIp: (id, o) => withSignal(o, async () => privateIp(await client.getPrivateIp({ privateIpId: id }))),
    listPrivateIps: (subnetId, ipAddress, o) =>
      withSignal(o, async () => {
        const r = await client.listPrivateIps({ subnetId, ipAddress });
        return r.items.map((p) => privateIp({ privateIp: p as unknown as Record<string, unknown> }));
      }),
    listSubnetPrivateIps: (subnetId, page, o) =>
      withSignal(o, async () => {
        const r = await client.listPrivateIps({ subnetId, ...pageAsk(page) });
        return pageOf(
          r.items.map((p) => privateIp({ privateIp: p as unknown as Record<string, unknown> })),
          r.opcNextPage,
        );
      }),
    listPublicIps: (compartmentId, page, o) =>
      withSignal(o, async () => {
        // reserved public IPs are regional: scope REGION, no availabilityDomain, lifetime RESERVED (API reference)
        const r = await client.listPublicIps({
          compartmentId,
          scope: requests.ListPublicIpsRequest.Scope.Region,
          lifetime: requests.ListPublicIpsRequest.Lifetime.Reserved,
          ...pageAsk(page),
        });
        return pageOf(
          r.items.map((p) => publicIp({ publicIp: p as unknown as Record<string, unknown> })),
          r.opcNextPage,
        );
      }),
    listRouteTables: (compartmentId, page, o) =>
      withSignal(o, async () => {
        const r = await client.listRouteTables({ compartmentId, ...pageAsk(page) });
        return pageOf(
          r.items.map((t) => ({ id: t.id, routeRules: rules(t.routeRules), etag: '' })),
          r.opcNextPage,
        );
      }),
    updatePrivateIp: (id, vnicId, ifMatch, o) =>
      withSignal(o, async () =>
        privateIp(await client.updatePrivateIp({ privateIpId: id, ifMatch, updatePrivateIpDetails: { vnicId } })),
      ),
    getVnic: (id, o) =>
      withSignal(o, async () => {
        const { vnic } = await client.getVnic({ vnicId: id });
        return { id: vnic.id, subnetId: String(vnic.subnetId), skipSourceDestCheck: vnic.skipSourceDestCheck === true };
      }),
    getPublicIp: (id, o) =>
      withSignal(o, async () => publicIp((await client.getPublicIp({ publicIpId: id })) as never)),
    updatePublicIp: (id, privateIpId, ifMatch, o) =>
      withSignal(o, async () =>
        publicIp(
          (await client.updatePublicIp({ publicIpId: id, ifMatch, updatePublicIpDetails: { privateIpId } })) as never,
        ),
      ),
    getRouteTable: (id, o) =>
      withSignal(o, async () => {
        const r = await client.getRouteTable({ rtId: id });
        return { id: r.routeTable.id, routeRules: rules(r.routeTable.routeRules), etag: r.etag ?? '' };
      }),
    updateRouteTable: (id, routeRules, ifMatch, o) =>
      withSignal(o, async () => {
        const r = await client.updateRouteTable({
          rtId: id,
          ifMatch,
          updateRouteTableDetails: { routeRules: routeRules.map(wireRule) as never },
        });
        return { id: r.routeTable.id, routeRules: rules(r.routeTable.routeRules), etag: r.etag ?? '' };
      }),
  };
}

export { lazyVcnApi } from './vcn-api.ts';
