import { z } from 'zod';

/** The field types every cloud's schema shares. */
export const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 of letters, digits, . _ - (starting alphanumeric)');
const octets = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}';
export const ipv4 = z.string().regex(new RegExp(`^${octets}$`), 'must be an IPv4 address');
export const hostCidr = z.string().regex(new RegExp(`^${octets}/32$`), 'must be an IPv4 address with /32');

/** A secret a probe uses (a password, a CA bundle, a client key): a reference resolved at cold start, never the value. */
const probeSecretRef = z
  .string()
  .regex(
    /^(env|file|ssm|gcp-sm|oci-vault):.+$/,
    'must reference the secret as env:NAME, file:/path or a store of this cloud (ssm:, gcp-sm:, oci-vault:), never hold it',
  );

/** TLS and basic auth of a probe to an https page (Patroni's `restapi.cafile`, `verify_client`, a proxy's password). */
const probeAccess = {
  /** PEM CA bundle that signs the page's certificate; absent = the runtime's public roots. */
  ca: probeSecretRef.optional(),
  /** PEM client certificate and key, for Patroni's `restapi.verify_client: required`. */
  clientCert: probeSecretRef.optional(),
  clientKey: probeSecretRef.optional(),
  auth: z
    .strictObject({
      username: z.string().regex(/^[^:\r\n]{1,128}$/, 'must be 1-128 characters without : or a line break'),
      password: probeSecretRef,
    })
    .optional(),
};

/** Patterns with a quantified group (`(a+)+`, `(a|b)*`) can backtrack for seconds on a hostile page: refused. */
const NESTED_QUANTIFIER = /\)[*+?{]/;

/** What a generic page answers in one role: its status, and optionally its exact body or a bounded pattern. */
const pageAnswer = z
  .strictObject({
    status: z.number().int().min(100).max(599),
    body: z.string().max(1024).optional(),
    pattern: z
      .string()
      .min(1)
      .max(200)
      .refine((p) => !NESTED_QUANTIFIER.test(p), 'must not quantify a group (it could backtrack without bound)')
      .refine((p) => {
        try {
          new RegExp(p, 'u');
          return true;
        } catch {
          return false;
        }
      }, 'must be a valid regular expression')
      .optional(),
  })
  .refine((a) => a.body === undefined || a.pattern === undefined, 'give body or pattern, not both');

/** How the function reads a member's health page (docs/configuration.md#probe-kinds); every kind is bounded. */
export const probeSpec = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('iris') }),
    z.strictObject({ kind: z.literal('patroni'), ...probeAccess }),
    z
      .strictObject({
        kind: z.literal('http'),
        primary: pageAnswer,
        backup: pageAnswer.optional(),
        /** Most bytes of the page read; a longer page is unknown. */
        maxBytes: z.number().int().min(16).max(65_536).default(1024),
        ...probeAccess,
      })
      .refine(
        (h) =>
          h.backup === undefined ||
          h.backup.status !== h.primary.status ||
          h.primary.body !== undefined ||
          h.primary.pattern !== undefined,
        {
          message: 'primary and backup with the same status need a body or pattern to tell them apart',
          path: ['backup'],
        },
      ),
  ])
  .default({ kind: 'iris' });

/** Every cloud's `health` block: whether and how members are probed before and after a move. */
export const health = z
  .strictObject({
    enabled: z.boolean().default(true),
    timeoutMs: z.number().int().min(100).max(10_000).default(1500),
    /** How long a claimant may take to answer primary (IRIS may call ZMIRROR a moment before its status page agrees). */
    confirmWindowMs: z.number().int().min(0).max(30_000).default(3000),
    probe: probeSpec,
  })
  .default({ enabled: true, timeoutMs: 1500, confirmWindowMs: 3000, probe: { kind: 'iris' } });

export type ProbeConfig = z.output<typeof probeSpec>;
