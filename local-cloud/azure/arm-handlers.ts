import {
  extraNicProps,
  linkedScopes,
  nicJson,
  parseIpConfigs,
  parseRoute,
  routeJson,
  routeTableJson,
} from './arm-json.ts';
import { ArmError, type ArmState, key, type Nic, newEtag } from './arm-state.ts';
import type { OperationStore } from './operations.ts';

/** One parsed ARM request, as the handlers see it. */
export interface ArmRequest {
  method: string;
  /** Lower-cased ARM id of the resource addressed. */
  id: string;
  params: string[];
  body: Record<string, unknown> | undefined;
  ifMatch: string | undefined;
  ifNoneMatch: string | undefined;
  /** The caller's object id (from its token): whose role assignments apply. */
  principal: string;
}

/** What a handler answers: a status and JSON body, and for a write the operation to expose as Azure-AsyncOperation. */
export interface ArmAnswer {
  status: number;
  body: unknown;
  operationId?: string;
}

/** The faults the handlers apply to writes (the server applies the rest before they run). */
export interface WriteFaults {
  operationDelayMs: number;
  /** An operation that ends Failed, applying nothing. */
  failOperation: { remaining: number; ops?: string[]; code?: string; after?: number };
  /** Another writer changes the resource just before this PUT: its If-Match no longer matches. */
  staleEtag: { remaining: number; ops?: string[] };
}

/** Use one of a fault's countdown if it applies to `op` (skipping the first `after` matches). */
const take = (c: { remaining: number; ops?: string[]; after?: number }, op: string) => {
  if (c.remaining <= 0 || (c.ops && !c.ops.includes(op))) return false;
  if (c.after && c.after > 0) {
    c.after -= 1;
    return false;
  }
  c.remaining -= 1;
  return true;
};

function checkPreconditions(etag: string | undefined, r: ArmRequest): void {
  if (r.ifMatch !== undefined && r.ifMatch !== '*' && r.ifMatch !== etag)
    throw new ArmError(
      412,
      'PreconditionFailed',
      `The condition If-Match: ${r.ifMatch} was not met; the resource's ETag is ${etag ?? '(none)'}.`,
    );
  if (r.ifMatch === '*' && etag === undefined)
    throw new ArmError(412, 'PreconditionFailed', 'If-Match: * but the resource does not exist.');
  if (r.ifNoneMatch === '*' && etag !== undefined)
    throw new ArmError(412, 'PreconditionFailed', 'If-None-Match: * but the resource exists.');
}

const notFound = (type: string, name: string) =>
  new ArmError(404, 'NotFound', `Resource ${type} ${name} was not found.`);

/** GET or PUT a NIC. A PUT replaces the ip-configurations wholesale (what it omits is removed), after every check. */
export function handleNic(state: ArmState, ops: OperationStore, f: WriteFaults, r: ArmRequest): ArmAnswer {
  const nic = state.nics.get(r.id);
  if (r.method === 'GET') {
    if (!nic) throw notFound('Microsoft.Network/networkInterfaces', r.params[2] ?? '');
    return { status: 200, body: nicJson(nic) };
  }
  if (!nic) throw new ArmError(400, 'NotSupportedInEmulator', 'creating a NIC is not emulated');
  const configs = parseIpConfigs(r.body ?? {});
  // linked access is authorized with the request, before the resource provider sees its ETag
  state.rbac.requireLinked(
    r.principal,
    'Microsoft.Network/networkInterfaces/write',
    nic.id,
    linkedScopes(r.body ?? {}, configs),
  );
  if (take(f.staleEtag, 'networkInterfaces.put')) nic.etag = newEtag();
  checkPreconditions(nic.etag, r);
  if (nic.busyWith)
    throw new ArmError(
      409,
      'AnotherOperationInProgress',
      `Operation on ${nic.id} is already in progress (${nic.busyWith}).`,
    );
  state.validateNic(nic, configs, nic);
  const failed = take(f.failOperation, 'networkInterfaces.put');
  const before = nicJson(nic);
  // Updating before the change is recorded: whoever watches the transitions sees the NIC mid-update
  nic.provisioningState = 'Updating';
  if (!failed) {
    state.commitNic(nic, configs);
    nic.extra = extraNicProps(r.body ?? {});
  }
  const op = ops.start(
    f.operationDelayMs,
    failed
      ? { code: f.failOperation.code ?? 'InternalServerError', message: `An error occurred updating ${nic.name}.` }
      : null,
    () => {
      nic.busyWith = null;
      nic.provisioningState = failed ? 'Failed' : 'Succeeded';
    },
  );
  if (!op.settled) nic.busyWith = op.id;
  return {
    status: 200,
    body: failed
      ? { ...before, properties: { ...(before.properties as object), provisioningState: 'Updating' } }
      : nicJson(nic),
    operationId: op.id,
  };
}

/** GET or PUT one route of a route table (If-Match / If-None-Match honoured). */
export function handleRoute(state: ArmState, ops: OperationStore, f: WriteFaults, r: ArmRequest): ArmAnswer {
  const tableId = r.id.replace(/\/routes\/[^/]+$/, '');
  const table = state.routeTables.get(tableId);
  const name = r.params[3] ?? '';
  if (!table) throw notFound('Microsoft.Network/routeTables', r.params[2] ?? '');
  const route = [...table.routes.values()].find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (r.method === 'GET') {
    if (!route) throw notFound('Microsoft.Network/routeTables/routes', name);
    return { status: 200, body: routeJson(table, route) };
  }
  if (route && take(f.staleEtag, 'routes.put')) route.etag = newEtag();
  checkPreconditions(route?.etag, r);
  const spec = parseRoute(r.body ?? {});
  const failed = take(f.failOperation, 'routes.put');
  const next = { name: route?.name ?? name, etag: newEtag(), ...spec, provisioningState: 'Updating' };
  if (!failed) {
    table.routes.set(next.name, next);
    state.record('route-set', {
      table: table.name,
      route: next.name,
      nextHop: spec.nextHopIpAddress ?? spec.nextHopType,
    });
  }
  const stored = failed ? route : next;
  const op = ops.start(
    f.operationDelayMs,
    failed
      ? { code: f.failOperation.code ?? 'InternalServerError', message: `An error occurred updating route ${name}.` }
      : null,
    () => {
      if (stored) stored.provisioningState = failed ? 'Failed' : 'Succeeded';
    },
  );
  return { status: route ? 200 : 201, body: routeJson(table, stored ?? next), operationId: op.id };
}

/** GET a route table (with its routes), a subnet or a public IP: read-only here. */
export function handleRead(
  state: ArmState,
  kind: 'routeTables' | 'publicIPAddresses' | 'subnets',
  r: ArmRequest,
): ArmAnswer {
  if (r.method !== 'GET') throw new ArmError(405, 'MethodNotAllowed', `${r.method} on ${kind} is not emulated`);
  if (kind === 'subnets') {
    const s = state.subnets.get(r.id);
    if (!s) throw notFound('Microsoft.Network/virtualNetworks/subnets', r.params[3] ?? '');
    const name = s.id.split('/').pop();
    const properties = { provisioningState: 'Succeeded', addressPrefix: s.addressPrefix };
    return { status: 200, body: { name, id: s.id, type: 'Microsoft.Network/virtualNetworks/subnets', properties } };
  }
  if (kind === 'routeTables') {
    const t = state.routeTables.get(r.id);
    if (!t) throw notFound('Microsoft.Network/routeTables', r.params[2] ?? '');
    return { status: 200, body: routeTableJson(t) };
  }
  const p = state.publicIps.get(r.id);
  if (!p) throw notFound('Microsoft.Network/publicIPAddresses', r.params[2] ?? '');
  const nic = [...state.nics.values()].find((n) =>
    n.ipConfigurations.some((c) => c.publicIpId && key(c.publicIpId) === r.id),
  );
  const cfg = nic?.ipConfigurations.find((c) => c.publicIpId && key(c.publicIpId) === r.id);
  return {
    status: 200,
    body: {
      name: p.name,
      id: p.id,
      type: 'Microsoft.Network/publicIPAddresses',
      sku: p.sku ?? { name: 'Standard', tier: 'Regional' },
      ...(p.zones ? { zones: p.zones } : {}),
      properties: {
        provisioningState: 'Succeeded',
        ipAddress: p.ipAddress,
        publicIPAllocationMethod: p.allocation ?? 'Static',
        ...(nic && cfg ? { ipConfiguration: { id: `${nic.id}/ipConfigurations/${cfg.name}` } } : {}),
      },
    },
  };
}

/**
 * GET {scope}/providers/Microsoft.Authorization/permissions (Permissions - List For Resource / Resource Group,
 * api-version 2022-04-01): one entry per role assignment that applies to the caller at that scope.
 */
export function handlePermissions(state: ArmState, scope: string, principal: string): ArmAnswer {
  const value = state.rbac.applying(principal, scope).map((a) => ({
    actions: a.actions,
    notActions: a.notActions,
    dataActions: [],
    notDataActions: [],
  }));
  return { status: 200, body: { value } };
}

export type { Nic };
