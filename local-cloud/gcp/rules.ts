import {
  type AliasIpRange,
  ApiError,
  type ComputeState,
  cidrsOverlap,
  invalidField,
  type NetworkInterface,
  normalizeCidr,
  type Subnetwork,
} from './compute-state.ts';

// Compute Engine rules the emulator enforces beyond resource shapes; docs/emulators.md cites where each comes from.

/** `requestId` must be a UUID other than the zero UUID (Compute REST reference, every mutating method). */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkRequestId(requestId: string | null): void {
  if (requestId === null) return;
  if (!UUID_RE.test(requestId) || /^[0-]+$/.test(requestId)) {
    throw invalidField('requestId', requestId, 'The request ID must be a valid UUID other than the zero UUID.');
  }
}

/** Base64 (standard or URL-safe, padding optional) to bytes, as Google's JSON mapping reads a `bytes` field. */
export function fingerprintBytes(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return undefined;
  const standard = value.replaceAll('-', '+').replaceAll('_', '/').replace(/=+$/, '');
  if (standard.length % 4 === 1) return undefined;
  return Buffer.from(standard, 'base64');
}

/** A write's fingerprint: missing is 400, undecodable is 400, other bytes than the resource's is 412. */
export function checkFingerprint(sent: unknown, current: string, field = 'resource.fingerprint'): void {
  if (sent === undefined || sent === null || sent === '') {
    throw new ApiError(400, 'required', `Required field '${field}' not specified`);
  }
  const bytes = fingerprintBytes(String(sent));
  if (!bytes) throw invalidField(field, String(sent), 'Must be base64-encoded bytes.');
  const have = fingerprintBytes(current) ?? Buffer.alloc(0);
  if (!bytes.equals(have)) throw new ApiError(412, 'conditionNotMet', 'Invalid fingerprint.');
}

/** The subnetwork a NIC is attached to (by the last segment of its subnetwork URL). */
export function subnetOf(state: ComputeState, nic: NetworkInterface): Subnetwork | undefined {
  return state.subnetworks.get(nic.subnetwork.split('/').pop() ?? '');
}

const within = (inner: string, outer: string) => {
  const [i, o] = [normalizeCidr(inner), normalizeCidr(outer)];
  if (!i || !o) return false;
  const bits = (c: string) => Number(c.split('/')[1]);
  return bits(i) >= bits(o) && cidrsOverlap(i, o);
};

/**
 * Every alias range comes from the NIC's subnet: the primary range when `subnetworkRangeName` is absent, else the
 * named secondary range, which must exist; the range must lie inside it (VPC "Alias IP ranges" overview).
 */
export function checkAliasRanges(state: ComputeState, nic: NetworkInterface, wanted: AliasIpRange[]): void {
  const subnet = subnetOf(state, nic);
  if (!subnet) return;
  wanted.forEach((r, i) => {
    const field = `resource.aliasIpRanges[${i}]`;
    const name = r.subnetworkRangeName;
    const secondary = name ? subnet.secondaryIpRanges?.find((s) => s.rangeName === name) : undefined;
    if (name && !secondary) {
      throw invalidField(
        `${field}.subnetworkRangeName`,
        name,
        `Secondary range '${name}' does not exist in subnetwork '${subnet.name}'.`,
      );
    }
    const outer = secondary?.ipCidrRange ?? subnet.ipCidrRange;
    if (!within(r.ipCidrRange, outer)) {
      const which = name ? `secondary range '${name}'` : 'the primary range';
      throw invalidField(
        `${field}.ipCidrRange`,
        r.ipCidrRange,
        `The alias IP range must be within ${which} (${outer}) of subnetwork '${subnet.name}'.`,
      );
    }
  });
}

/** A static route may not overlap any subnet range of its network (VPC "Static routes": subnet routes win). */
export function checkRouteOverlap(state: ComputeState, network: string, destRange: string): void {
  for (const s of state.subnetworks.values()) {
    if (s.network !== network) continue;
    const ranges = [
      { name: 'primary', cidr: s.ipCidrRange },
      ...(s.secondaryIpRanges ?? []).map((r) => ({ name: r.rangeName, cidr: r.ipCidrRange })),
    ];
    const hit = ranges.find((r) => cidrsOverlap(destRange, r.cidr));
    if (hit) {
      throw invalidField(
        'resource.destRange',
        destRange,
        `The destination range overlaps the ${hit.name} range ${hit.cidr} of subnetwork '${s.name}'; a static route may not conflict with a subnet route.`,
      );
    }
  }
}

/** The network tier an access config asks for must be the one of the reserved address it names (AccessConfig.networkTier). */
export function checkNetworkTier(requested: string, addressTier: string): void {
  if (requested !== addressTier) {
    throw invalidField(
      'resource.networkTier',
      requested,
      `The network tier of the access config must match that of the external IP address (${addressTier}).`,
    );
  }
}

/** The answer to a write on an instance whose previous operation is still running. */
export function notReady(targetPath: string): ApiError {
  return new ApiError(400, 'resourceNotReady', `The resource '${targetPath}' is not ready`);
}
