import * as gax from 'google-gax';

type Json = Record<string, unknown>;
type Namespace = { nested?: Record<string, Json>; options?: Json };
type Message = { fields?: Record<string, { type: string }>; nested?: Record<string, Message> };
type Service = { methods: Record<string, { requestType: string; responseType: string }> };

/** The Compute services and methods ComputeApi calls; nothing else of the 12 MB proto set is loaded. */
export const USED_METHODS: Record<string, readonly string[]> = {
  Instances: [
    'Get',
    'AggregatedList',
    'UpdateNetworkInterface',
    'AddAccessConfig',
    'DeleteAccessConfig',
    'TestIamPermissions',
  ],
  // the preflight (check-sdk.ts)
  Subnetworks: ['Get', 'TestIamPermissions'],
  Addresses: ['List'],
  ZoneOperations: ['Get', 'Wait'],
  Routes: ['Get', 'List', 'Insert', 'Delete'],
  GlobalOperations: ['Get', 'Wait'],
};

const ns = (parent: Namespace | undefined, key: string): Namespace => {
  const child = parent?.nested?.[key] as Namespace | undefined;
  if (!child) throw new Error(`compute protos: namespace ${key} not found`);
  return child;
};

/** Keep the used methods and the messages they reach (compute messages refer to each other by plain name). */
function trimCompute(v1: Namespace): Namespace {
  const all = v1.nested ?? {};
  const kept: Record<string, Json> = {};
  const keep = (type: string) => {
    const name = type.replace(/^\.?google\.cloud\.compute\.v1\./, '');
    if (kept[name] || !all[name]) return;
    kept[name] = all[name];
    const walk = (m: Message) => {
      for (const f of Object.values(m.fields ?? {})) keep(f.type);
      for (const n of Object.values(m.nested ?? {})) walk(n);
    };
    walk(all[name] as Message);
  };
  for (const [service, methods] of Object.entries(USED_METHODS)) {
    const full = all[service] as unknown as Service | undefined;
    if (!full) throw new Error(`compute protos: service ${service} not found`);
    const picked = Object.fromEntries(methods.map((m) => [m, full.methods[m]]));
    for (const m of Object.values(picked)) {
      if (!m) throw new Error(`compute protos: a method of ${service} is missing`);
      keep(m.requestType);
      keep(m.responseType);
    }
    kept[service] = { ...full, methods: picked };
  }
  return { ...v1, nested: kept };
}

const trimmed = new WeakMap<object, Json>();

/** The proto JSON with only the used Compute services; google.api/protobuf/cloud annotations are kept whole. */
export function trimComputeProtos(json: Json): Json {
  const hit = trimmed.get(json);
  if (hit) return hit;
  const google = ns(json as Namespace, 'google');
  const cloud = ns(google, 'cloud');
  const compute = ns(cloud, 'compute');
  const v1 = trimCompute(ns(compute, 'v1'));
  const out = {
    ...json,
    nested: {
      ...(json as Namespace).nested,
      google: {
        ...google,
        nested: {
          ...google.nested,
          cloud: { ...cloud, nested: { ...cloud.nested, compute: { ...compute, nested: { v1 } } } },
        },
      },
    },
  };
  trimmed.set(json, out);
  return out;
}

/**
 * A google-gax instance (the documented second constructor argument of every generated client) whose REST
 * transport loads the trimmed protos. Loading all of Compute takes ~0.8 s per client (hashing and parsing 12 MB
 * of JSON) and the generated clients reload it on every error; the trimmed set takes a few milliseconds.
 */
export function trimmedGax(): typeof gax {
  const base = gax.fallback;
  class TrimmedGrpcClient extends base.GrpcClient {
    override loadProtoJSON(json: Parameters<typeof base.GrpcClient.prototype.loadProtoJSON>[0], ignoreCache?: boolean) {
      return super.loadProtoJSON(trimComputeProtos(json as Json) as typeof json, ignoreCache);
    }
  }
  const protobuf = {
    ...base.protobuf,
    Root: { fromJSON: (json: Json) => base.protobuf.Root.fromJSON(trimComputeProtos(json) as never) },
  };
  return { ...gax, fallback: { ...base, GrpcClient: TrimmedGrpcClient, protobuf } } as unknown as typeof gax;
}
