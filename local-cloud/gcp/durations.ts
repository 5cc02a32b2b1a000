/**
 * Operation durations at realistic times, from the seeds (seed 000: "5-20 seconds for Private VIP only, from
 * 5 seconds and up to a minute for a Public/Private VIP IP combination"). The private move is two
 * updateNetworkInterface operations (remove, add): 6 s each puts it at 12 s, mid-range of 5-20 s. With the public
 * VIP the two access-config operations come on top (Compute allows one operation per instance at a time).
 * Routes are global operations that Google documents as eventually consistent; 10 s is the same order.
 */
export const REALISTIC_OPERATION_MS: Readonly<Record<string, number>> = {
  'instances.updateNetworkInterface': 6_000,
  'instances.deleteAccessConfig': 5_000,
  'instances.addAccessConfig': 8_000,
  'routes.insert': 10_000,
  'routes.delete': 10_000,
};

/** The slow end of the seeds' range: 10 s per alias write (20 s private), 20 s per access-config write. */
export const SLOW_OPERATION_MS: Readonly<Record<string, number>> = {
  'instances.updateNetworkInterface': 10_000,
  'instances.deleteAccessConfig': 20_000,
  'instances.addAccessConfig': 20_000,
  'routes.insert': 20_000,
  'routes.delete': 20_000,
};
