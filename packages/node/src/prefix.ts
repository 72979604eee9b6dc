/**
 * The one place that shortens client addresses and user ids, for request logs, web-ingest rate
 * limiting and catalog labels alike: an IP address appears only as its network prefix, a user id only
 * as a short prefix (docs/CONTRACT.md `ip_prefix`, `user_id_prefix`). Anything else becomes `other`,
 * so garbage input never reaches a log line or a label.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** What input that is not an address or a user id becomes (the catalog's fold value). */
export const OTHER = 'other';

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const MAPPED_IPV4_HEX = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/i;
const HEX_PREFIX = /^[0-9a-f]{2}/;

/**
 * IPv4 -> its /16 (`10.1.2.3` -> `10.1.0.0/16`), IPv4-mapped IPv6 (dotted or hex) like IPv4, IPv6 -> its /32 with
 * hextets normalised (`2001:0DB8::1` -> `2001:db8::/32`); brackets and a zone id are ignored.
 */
export function ipPrefix(raw: unknown): string {
  if (typeof raw !== 'string') return OTHER;
  let address = raw.trim();
  if (address.startsWith('[')) address = address.replace(/^\[|\]$/g, '');
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  const mapped = MAPPED_IPV4.exec(address);
  if (mapped?.[1] !== undefined) address = mapped[1];
  const mappedHex = MAPPED_IPV4_HEX.exec(address);
  if (mappedHex?.[1] !== undefined) {
    const high = Number.parseInt(mappedHex[1], 16);
    return `${high >> 8}.${high & 0xff}.0.0/16`;
  }
  if (isIPv4(address)) {
    const dot = address.indexOf('.', address.indexOf('.') + 1);
    return `${address.slice(0, dot)}.0.0/16`;
  }
  if (isIPv6(address)) {
    // Only the first two hextets matter; a '::' right after them stands for zeros.
    const head = address.includes('::') ? (address.split('::')[0] ?? '') : address;
    const groups = head === '' ? [] : head.split(':');
    const first = Number.parseInt(groups[0] ?? '0', 16).toString(16);
    const second = Number.parseInt(groups[1] ?? '0', 16).toString(16);
    return `${first}:${second}::/32`;
  }
  return OTHER;
}

/** The first two hex characters of a user id, lower case (256 values); `other` when it does not start with hex. */
export function userIdPrefix(raw: unknown): string {
  if (typeof raw !== 'string' && typeof raw !== 'number') return OTHER;
  const match = HEX_PREFIX.exec(String(raw).trim().toLowerCase());
  return match ? match[0] : OTHER;
}
