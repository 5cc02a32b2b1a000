import { z } from 'zod';
import { health, hostCidr, ipv4, name } from './schema-parts.ts';

// ---- Azure (Resource Manager, Microsoft.Network): NIC ip-configuration (seed 001) or UDR routes. ----

/** Azure resource names: 1-80 of letters, digits, _ . - (NICs, route tables, public IPs, ip-configurations). */
const azName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/, 'must be an Azure resource name: 1-80 of letters, digits, _ . -');
const resourceGroup = z
  .string()
  .regex(/^[-\w._()]{1,90}$/, 'must be a resource group name: 1-90 of letters, digits, _ . - ( )')
  .refine((s) => !s.endsWith('.'), 'must not end with a period');

/**
 * Where an Azure member's key lives: the environment (an app setting, normally a Key Vault reference
 * `@Microsoft.KeyVault(SecretUri=…)` that the platform resolves before the function starts) or a file.
 */
export const AZURE_SECRET_SOURCES = ['env', 'file'] as const;
const azureSecretRef = z
  .string()
  .regex(/^(env|file):.+$/, 'must reference the secret as env:NAME (a Key Vault reference app setting) or file:/path');
const azureKey = z.strictObject({ id: name, member: name, secret: azureSecretRef });

/**
 * Default deadline of an Azure mirror's move. Published figures: seed 001 measures 5-20 s for a private VIP and up
 * to a minute with a public IP, for two serial NIC updates; F5's Cloud Failover Extension documents 40-85 s per
 * Azure failover. 120 s covers the slow end of both and stays under the 230 s that Azure's front end allows an
 * HTTP-triggered function to answer in (learn.microsoft.com/azure/azure-functions/functions-scale#timeout).
 */
export const AZURE_DEFAULT_DEADLINE_MS = 120_000;
/** Default LRO poll interval: Azure answers `Retry-After: 10`, which would add up to 10 s to a 2 s update. */
export const AZURE_DEFAULT_POLL_MS = 1000;

export const azureMemberSchema = z.strictObject({
  name,
  healthUrl: z.url({ protocol: /^https?$/ }),
  /** The member VM's NIC that carries (or will carry) the VIP ip-configuration. */
  nic: azName,
  /** The NIC's resource group, when not the mirror's. */
  resourceGroup: resourceGroup.optional(),
  /** The VM's name, only to match Azure Monitor alerts whose target is the VM. */
  vm: azName.optional(),
});

const routeTable = z.strictObject({ name: azName, resourceGroup: resourceGroup.optional() });

export const azureVipSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('ip-config'),
    /** The private VIP, static, in the members' subnet (one subnet spans zones in Azure). */
    privateIp: ipv4,
    /** Name of the ip-configuration that holds the VIP (seed 001: `vip`). */
    ipConfigName: azName.default('vip'),
    /** The public VIP: a Standard static public IP resource attached to the same ip-configuration. */
    publicIp: z.strictObject({ name: azName, resourceGroup: resourceGroup.optional() }).optional(),
  }),
  z.strictObject({
    mode: z.literal('route'),
    cidr: hostCidr,
    routeTables: z.array(routeTable).min(1).max(50),
    /** The route's name in every table. */
    routeName: azName.default('mirror-vip'),
  }),
]);

export const azureMirrorSchema = z.strictObject({
  name,
  health,
  keys: z.array(azureKey).min(1),
  cloud: z.literal('azure'),
  subscriptionId: z.uuid({ message: 'must be a subscription id (a UUID)' }),
  /** The Azure location (region) of the NICs, e.g. eastus2; `region` like every cloud's mirror. */
  region: z.string().regex(/^[a-z]+[a-z0-9]*$/, 'must be an Azure location such as eastus2'),
  resourceGroup,
  members: z.array(azureMemberSchema).min(2).max(8),
  vips: z.array(azureVipSchema).min(1).max(8),
  /** This mirror's move deadline; AZURE_DEFAULT_DEADLINE_MS when absent. */
  deadlineMs: z.number().int().min(1000).max(900_000).optional(),
  /** How long one NIC update (its LRO) may take; a move whose remove and add cannot fit is not started (timing.ts). */
  operationMs: z.number().int().min(0).max(300_000).optional(),
  /** How often a running NIC/route update is polled, whatever Retry-After says (bounded by the deadline). */
  pollIntervalMs: z.number().int().min(10).max(10_000).default(AZURE_DEFAULT_POLL_MS),
});

export type AzureMirrorConfig = z.output<typeof azureMirrorSchema>;
export type AzureVipConfig = z.output<typeof azureVipSchema>;
export type AzureMemberConfig = z.output<typeof azureMemberSchema>;
