/**
 * Node addresses as the ring accepts them: a literal IP in its one canonical spelling and a port
 * (docs/security.md, "Addresses"). Aliases of one listener (`127.1`, `0x7f.0.0.1`, `127.000.0.1`,
 * `::ffff:127.0.0.1`, upper-case or uncompressed IPv6) are refused, so an address names one
 * position source and a per-IP limit counts each host once.
 */
import net from "node:net";

export interface NodeAddr {
  /** The canonical host: dotted-decimal IPv4 or RFC 5952 IPv6 (without brackets). */
  host: string;
  port: number;
  /** 4 or 16 bytes, hashed into the ring id. */
  ip: Uint8Array;
}

const IPV4_OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const CANONICAL_IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);

/** "host:port" (IPv6 as "[host]:port") in canonical form, or null for anything else. */
export function parseNodeAddr(addr: unknown): NodeAddr | null {
  if (typeof addr !== "string" || addr.length > 64) return null;
  const colon = addr.lastIndexOf(":");
  if (colon <= 0) return null;
  const portText = addr.slice(colon + 1);
  if (!/^[1-9]\d{0,4}$/.test(portText)) return null;
  const port = Number(portText);
  if (port > 65_535) return null;
  const hostPart = addr.slice(0, colon);
  if (hostPart.startsWith("[")) {
    if (!hostPart.endsWith("]")) return null;
    const host = hostPart.slice(1, -1);
    const ip = canonicalIpv6(host);
    return ip ? { host, port, ip } : null;
  }
  const ip = canonicalIpv4(hostPart);
  return ip ? { host: hostPart, port, ip } : null;
}

/** The canonical "host:port" of a literal IP host and a port. */
export function formatNodeAddr(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The bytes of a canonical literal IP (either family), or null. */
export function canonicalIp(host: string): Uint8Array | null {
  return host.includes(":") ? canonicalIpv6(host) : canonicalIpv4(host);
}

function canonicalIpv4(host: string): Uint8Array | null {
  if (!CANONICAL_IPV4.test(host)) return null;
  return Uint8Array.from(host.split(".").map(Number));
}

function canonicalIpv6(host: string): Uint8Array | null {
  if (!net.isIPv6(host) || host.includes(".") || host.includes("%")) return null;
  const bytes = ipv6Bytes(host);
  if (!bytes || isIpv4Mapped(bytes)) return null;
  return formatIpv6(bytes) === host ? bytes : null;
}

function ipv6Bytes(host: string): Uint8Array | null {
  const halves = host.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(groups[i])) return null;
    const value = Number.parseInt(groups[i], 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  }
  return bytes;
}

/** RFC 5952 §4: lower case, no leading zeros, the longest run (≥ 2) of zero groups as "::". */
function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** The canonical IP of a socket's remote address (an IPv4 client of a dual-stack socket as IPv4). */
export function socketIp(remoteAddress: string | undefined): Uint8Array | null {
  if (!remoteAddress) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return canonicalIpv4(mapped[1]);
  if (net.isIPv4(remoteAddress)) return canonicalIpv4(remoteAddress);
  const bytes = net.isIPv6(remoteAddress) ? ipv6Bytes(remoteAddress.split("%")[0]) : null;
  return bytes;
}

export function isLoopback(ip: Uint8Array): boolean {
  if (ip.length === 4) return ip[0] === 127;
  return ip.every((byte, i) => byte === (i === 15 ? 1 : 0));
}

/**
 * The group a per-IP limit counts in: the address for IPv4, its /64 for IPv6 (one subscriber is
 * usually given a whole /64). Loopback has no group: limits per IP do not apply to it (PROTOCOL.md).
 */
export function ipGroup(ip: Uint8Array): string | null {
  if (isLoopback(ip)) return null;
  if (ip.length === 4) return ip.join(".");
  return `${Buffer.from(ip.subarray(0, 8)).toString("hex")}/64`;
}

/**
 * The key a client's rate limit is counted under: its address for IPv4 and loopback, its /64 for
 * IPv6 — one subscriber holds a whole /64, so per-address buckets would give it 2^64 of them.
 */
export function rateGroupOf(remoteAddress: string | undefined): string {
  const ip = socketIp(remoteAddress);
  if (!ip) return remoteAddress ?? "unknown";
  if (ip.length === 4) return ip.join(".");
  return ipGroup(ip) ?? remoteAddress ?? "unknown";
}

export function sameIp(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
