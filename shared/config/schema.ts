import { z } from 'zod';
import { azureMirrorSchema } from './schema-azure.ts';
import { ociMirrorSchema } from './schema-oci.ts';
import { health, hostCidr, ipv4, name } from './schema-parts.ts';
import { resolveDeadlines } from './timing.ts';

const awsId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `must look like ${prefix}-0123456789abcdef0`);

/** Where a member's key lives: never the secret itself. */
export const SECRET_SOURCES = ['env', 'file', 'ssm'] as const;
const secretRef = z
  .string()
  .regex(
    /^(env|file|ssm):.+$/,
    'must reference the secret as env:NAME, file:/path or ssm:/parameter/name, never hold it',
  );

const key = z.strictObject({ id: name, member: name, secret: secretRef });

const memberBase = { name, healthUrl: z.url({ protocol: /^https?$/ }) };

export const awsMemberSchema = z.strictObject({
  ...memberBase,
  instanceId: awsId('i'),
  eniId: awsId('eni'),
});

export const awsVipSchema = z.discriminatedUnion('mode', [
  z
    .strictObject({
      mode: z.literal('route'),
      cidr: hostCidr,
      routeTableIds: z.array(awsId('rtb')).min(1).max(200).optional(),
      vpcId: awsId('vpc').optional(),
    })
    .refine((v) => (v.routeTableIds === undefined) !== (v.vpcId === undefined), {
      message: 'give exactly one of routeTableIds or vpcId (tables are then found by the VIP route in that VPC)',
      path: ['routeTableIds'],
    }),
  z.strictObject({ mode: z.literal('eip'), allocationId: awsId('eipalloc') }),
]);

/** Per-mirror time budgets; absent = the cloud's default (shared/config/timing.ts). */
const timing = {
  deadlineMs: z.number().int().min(1000).max(900_000).optional(),
  /** How long one cloud write operation may take; a move that cannot fit its remove and add is not started. */
  operationMs: z.number().int().min(0).max(300_000).optional(),
};

const mirrorBase = {
  name,
  health,
  keys: z.array(key).min(1),
  ...timing,
};

export const awsMirrorSchema = z.strictObject({
  ...mirrorBase,
  cloud: z.literal('aws'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1'),
  members: z.array(awsMemberSchema).min(2).max(8),
  vips: z.array(awsVipSchema).min(1).max(8),
});

// ---- GCP (Compute Engine): alias IP ranges + access configs, or static routes. ----

const gcpName = z
  .string()
  .regex(
    /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
    'must be a Compute Engine name: 1-63 of a-z 0-9 - starting with a letter',
  );
const gcpZone = z.string().regex(/^[a-z]+(-[a-z]+)*\d-[a-z]$/, 'must be a zone such as us-east1-b');

/** Where a GCP member's key lives: the environment, a file, or Secret Manager (never the secret itself). */
export const GCP_SECRET_SOURCES = ['env', 'file', 'gcp-sm'] as const;
const gcpSecretRef = z
  .string()
  .regex(
    /^(env:.+|file:.+|gcp-sm:projects\/[a-z0-9-]+\/secrets\/[A-Za-z0-9_-]{1,255}\/versions\/(latest|\d+))$/,
    'must reference the secret as env:NAME, file:/path or gcp-sm:projects/P/secrets/S/versions/latest, never hold it',
  );
const gcpKey = z.strictObject({ id: name, member: name, secret: gcpSecretRef });

export const gcpMemberSchema = z.strictObject({
  ...memberBase,
  instance: gcpName,
  zone: gcpZone,
  /** The numeric instance id, only to match Cloud Monitoring incidents that carry resource.labels.instance_id. */
  instanceId: z
    .string()
    .regex(/^\d{1,20}$/, 'must be the numeric instance id')
    .optional(),
});

export const gcpVipSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('alias-ip'),
    cidr: hostCidr,
    /** The subnet's secondary range the VIP comes from; absent = the primary range. */
    subnetworkRangeName: gcpName.optional(),
    /** The public VIP: an access config with this reserved static external address, moved with the alias. */
    accessConfig: z
      .strictObject({
        name: z.string().min(1).max(63).default('vip'),
        natIP: ipv4,
        /** The address's network tier; absent = the tier of the access config that holds it now (else PREMIUM). */
        networkTier: z.enum(['PREMIUM', 'STANDARD']).optional(),
      })
      .optional(),
  }),
  z.strictObject({
    mode: z.literal('route'),
    cidr: hostCidr,
    network: gcpName,
    /** Priority of the VIP route; a move alternates between this and one less, so two routes never tie. */
    priority: z.number().int().min(1).max(65535).default(1000),
  }),
]);

const regionOfZone = (zone: string) => zone.replace(/-[a-z]$/, '');

export const gcpMirrorSchema = z
  .strictObject({
    name,
    health,
    keys: z.array(gcpKey).min(1),
    ...timing,
    cloud: z.literal('gcp'),
    project: z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, 'must be a project id such as my-project-123'),
    /** Defaults to the region of the first member's zone. */
    region: z
      .string()
      .regex(/^[a-z]+(-[a-z]+)*\d$/, 'must be a region such as us-east1')
      .optional(),
    members: z.array(gcpMemberSchema).min(2).max(8),
    vips: z.array(gcpVipSchema).min(1).max(8),
  })
  .refine(
    (m) => !m.vips.some((v) => v.mode === 'alias-ip') || new Set(m.members.map((x) => regionOfZone(x.zone))).size === 1,
    {
      message: 'alias-ip needs every member in one region (the alias range comes from one regional subnet)',
      path: ['members'],
    },
  )
  .transform((m) => ({ ...m, region: m.region ?? regionOfZone(m.members[0]?.zone ?? '') }));

export const configSchema = z
  .strictObject({
    mirrors: z
      .array(z.discriminatedUnion('cloud', [awsMirrorSchema, gcpMirrorSchema, azureMirrorSchema, ociMirrorSchema]))
      .min(1),
    toleranceSeconds: z.number().int().min(30).max(3600).default(300),
    /** Default deadline of every mirror; absent = each mirror's cloud default (shared/config/timing.ts). */
    deadlineMs: z.number().int().min(1000).max(900_000).optional(),
    /** Keys of operators (mirror-vip inspect|reconcile|pause|resume), never a member's: see shared/core/operator.ts. */
    operatorKeys: z
      .array(
        z.strictObject({
          id: name,
          secret: z.string().regex(/^(env|file|ssm|gcp-sm|oci-vault):.+$/, 'must reference the secret, never hold it'),
        }),
      )
      .max(16)
      .optional(),
    notify: z
      .strictObject({ topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN') })
      .optional(),
  })
  .transform(resolveDeadlines);

export type Config = z.infer<typeof configSchema>;
export type MirrorConfig = Config['mirrors'][number];
export type AwsMirrorConfig = z.infer<typeof awsMirrorSchema>;
export type AwsVipConfig = z.infer<typeof awsVipSchema>;
export type MemberConfig = MirrorConfig['members'][number];
export type KeyConfig = z.infer<typeof key>;
export type GcpMirrorConfig = z.output<typeof gcpMirrorSchema>;
export type GcpVipConfig = z.infer<typeof gcpVipSchema>;
export type GcpMemberConfig = z.infer<typeof gcpMemberSchema>;
