/** IPv4 helpers on unsigned 32-bit numbers. */

/** Parses dotted-quad IPv4 text, or undefined when it is not one. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

/** Formats an unsigned 32-bit number as dotted-quad text. */
export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The first and last address of an IPv4 CIDR, or undefined when the text is not one. */
export function cidrRange(cidr: string): { first: number; last: number; prefix: number } | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(cidr);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  const ip = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const first = ip - (ip % size);
  return { first, last: first + size - 1, prefix };
}

/** The canonical form EC2 stores (host bits cleared: 10.0.0.18/24 → 10.0.0.0/24), or undefined when invalid. */
export function canonicalCidr(cidr: string): string | undefined {
  const range = cidrRange(cidr);
  return range === undefined ? undefined : `${formatIpv4(range.first)}/${range.prefix}`;
}

/** Whether an address lies inside a CIDR. */
export function cidrContains(cidr: string, ip: string): boolean {
  const range = cidrRange(cidr);
  const n = parseIpv4(ip);
  return range !== undefined && n !== undefined && n >= range.first && n <= range.last;
}

/** Whether AWS reserves the address in the subnet (network, the next three, and broadcast). */
export function isReservedInSubnet(cidr: string, ip: string): boolean {
  const range = cidrRange(cidr);
  const n = parseIpv4(ip);
  if (range === undefined || n === undefined) return false;
  return n - range.first < 4 || n === range.last;
}
