import type { IncomingMessage } from 'node:http';
import { readCapped } from '../request-body.ts';
import type { WriteFaults } from './arm-handlers.ts';
import { ArmError, type ArmState } from './arm-state.ts';

export interface Countdown {
  remaining: number;
  ops?: string[];
}
export interface FaultPlan extends WriteFaults {
  latencyMs: number;
  latencyByOp: Record<string, number>;
  /** Retry-After sent with every LRO answer; Azure commonly sends 10. */
  lroRetryAfterSeconds: number;
  /** 429 TooManyRequests with Retry-After. */
  throttle: Countdown & { retryAfterSeconds?: number };
  /** 503 ServiceUnavailable. */
  unavailable: Countdown;
  /** 409 AnotherOperationInProgress, as when another client's write on the NIC is still running. */
  busy: Countdown;
}

export interface StartOptions {
  state: ArmState;
  latencyMs?: number;
  operationDelayMs?: number;
  lroRetryAfterSeconds?: number;
}

export const MAX_BODY_BYTES = 1 << 20;
export const ROUTES: [RegExp, string][] = [
  [
    /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+(?:\/providers\/microsoft\.network\/.+)?)\/providers\/microsoft\.authorization\/permissions$/,
    'permissions',
  ],
  [
    /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.network\/virtualnetworks\/([^/]+)\/subnets\/([^/]+)$/,
    'subnets',
  ],
  [
    /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.network\/networkinterfaces\/([^/]+)$/,
    'networkInterfaces',
  ],
  [
    /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.network\/routetables\/([^/]+)\/routes\/([^/]+)$/,
    'routes',
  ],
  [
    /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.network\/routetables\/([^/]+)$/,
    'routeTables',
  ],
  [
    /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.network\/publicipaddresses\/([^/]+)$/,
    'publicIPAddresses',
  ],
  [
    /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+)\/providers\/microsoft\.network\/networkinterfaces$/,
    'networkInterfacesList',
  ],
  [/^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+)\/providers\/microsoft\.network\/routetables$/, 'routeTablesList'],
  [/^\/subscriptions\/([^/]+)\/providers\/microsoft\.network\/locations\/([^/]+)\/operations\/([^/]+)$/, 'operations'],
];

export const freshFaults = (o: StartOptions): FaultPlan => ({
  latencyMs: o.latencyMs ?? 0,
  latencyByOp: {},
  operationDelayMs: o.operationDelayMs ?? 0,
  lroRetryAfterSeconds: o.lroRetryAfterSeconds ?? 10,
  throttle: { remaining: 0 },
  unavailable: { remaining: 0 },
  busy: { remaining: 0 },
  failOperation: { remaining: 0 },
  staleEtag: { remaining: 0 },
});

export const take = (c: Countdown, op: string) => {
  if (c.remaining <= 0 || (c.ops && !c.ops.includes(op))) return false;
  c.remaining -= 1;
  return true;
};

export const readBody = (req: IncomingMessage) =>
  readCapped(req, MAX_BODY_BYTES, () => new ArmError(413, 'RequestEntityTooLarge', 'The request body is too large.'));
