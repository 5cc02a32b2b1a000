import { z } from 'zod';

/** The field types every cloud's schema shares. */
export const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 of letters, digits, . _ - (starting alphanumeric)');
const octets = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}';
export const ipv4 = z.string().regex(new RegExp(`^${octets}$`), 'must be an IPv4 address');
export const hostCidr = z.string().regex(new RegExp(`^${octets}/32$`), 'must be an IPv4 address with /32');
