import { z } from 'zod';
import { health, hostCidr, ipv4, name } from './schema-parts.ts';

// ---- OCI (VCN): a secondary private IP (and its reserved public IP) moved between VNICs, or route rules. ----

/** An OCID of one resource type: `ocid1.<type>.<realm>.[region].<unique>`. */
export const ocid = (type: string) =>
  z
    .string()
    .regex(
      new RegExp(`^ocid1\\.${type.replace('.', '\\.')}\\.oc\\d+\\.[a-z0-9-]*\\.[a-z0-9]{1,255}$`),
      `must be an OCID such as ocid1.${type}.oc1.eu-frankfurt-1.aaaa…`,
    );

/**
 * The deadline of one OCI invocation when the mirror sets none. OCI Functions stop a synchronous invocation after
 * its timeout (default 30 s, maximum 300 s: docs.oracle.com/iaas/Content/Functions/Tasks/functionscustomizing.htm);
 * terraform/oci sets 60 s, and the reserved public IP's assignment is asynchronous (UpdatePublicIp/UpdatePrivateIp
 * return before ASSIGNED), so 50 s leaves time to poll it to the end and answer.
 */
export const OCI_DEFAULT_DEADLINE_MS = 50_000;

/** A Vault secret's OCID (a member key's `oci-vault:` reference, a mirror's pause secret in MIRROR_VIP_PAUSE_SECRETS). */
export const VAULT_SECRET_OCID = /^ocid1\.vaultsecret\.oc\d+\.[a-z0-9-]*\.[a-z0-9]{1,255}$/;

/** Where an OCI member's key lives: the environment, a file, or an OCI Vault secret (never the secret itself). */
export const OCI_SECRET_SOURCES = ['env', 'file', 'oci-vault'] as const;
const ociSecretRef = z
  .string()
  .regex(
    /^(env:.+|file:.+|oci-vault:ocid1\.vaultsecret\.oc\d+\.[a-z0-9-]*\.[a-z0-9]{1,255})$/,
    'must reference the secret as env:NAME, file:/path or oci-vault:ocid1.vaultsecret…, never hold it',
  );
const ociKey = z.strictObject({ id: name, member: name, secret: ociSecretRef });

export const ociMemberSchema = z.strictObject({
  name,
  healthUrl: z.url({ protocol: /^https?$/ }),
  /** The VNIC that receives the secondary private IP (the instance's primary VNIC in seed 004). */
  vnicId: ocid('vnic'),
  /** The member's own primary private IP: the next hop of a `route` VIP. */
  privateIpId: ocid('privateip').optional(),
  /** The instance, only to match an alarm's `resourceId` dimension to its mirror. */
  instanceId: ocid('instance').optional(),
});

export const ociVipSchema = z.discriminatedUnion('mode', [
  z
    .strictObject({
      mode: z.literal('private-ip'),
      /** The secondary private IP address that moves between the members' VNICs (same subnet). */
      address: ipv4,
      /** Its OCID; when absent it is found by address in `subnetId` (ListPrivateIps). */
      privateIpId: ocid('privateip').optional(),
      subnetId: ocid('subnet').optional(),
      /** The reserved public IP assigned to that private IP: it moves with it and is re-assigned when left detached. */
      publicIpId: ocid('publicip').optional(),
    })
    .refine((v) => v.privateIpId !== undefined || v.subnetId !== undefined, {
      message: 'give privateIpId, or subnetId to find the private IP by address',
      path: ['privateIpId'],
    }),
  z.strictObject({
    mode: z.literal('route'),
    cidr: hostCidr,
    routeTableIds: z.array(ocid('routetable')).min(1).max(50),
  }),
]);

export const ociMirrorSchema = z
  .strictObject({
    name,
    health,
    keys: z.array(ociKey).min(1),
    cloud: z.literal('oci'),
    region: z.string().regex(/^[a-z]{2,}(-[a-z]+)+-\d$/, 'must be an OCI region such as eu-frankfurt-1'),
    members: z.array(ociMemberSchema).min(2).max(8),
    vips: z.array(ociVipSchema).min(1).max(8),
    /** This mirror's deadline; OCI_DEFAULT_DEADLINE_MS when absent (merged with the per-cloud deadline by the core). */
    deadlineMs: z.number().int().min(1000).max(295_000).optional(),
  })
  .refine((m) => !m.vips.some((v) => v.mode === 'route') || m.members.every((x) => x.privateIpId !== undefined), {
    message: 'a route VIP needs every member privateIpId (the next hop of the route rule)',
    path: ['members'],
  });

export type OciMirrorConfig = z.output<typeof ociMirrorSchema>;
export type OciVipConfig = z.infer<typeof ociVipSchema>;
export type OciMemberConfig = z.infer<typeof ociMemberSchema>;
