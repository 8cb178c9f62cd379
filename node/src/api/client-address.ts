/**
 * Who a request comes from, for the API's limits (docs/security.md, "Limits"): the group of the
 * client's IP — the address for IPv4, its /64 for IPv6 — or null for loopback, to which limits per
 * IP do not apply (PROTOCOL.md). Behind a reverse proxy every request arrives from the proxy, so
 * for connections from a trusted proxy the client is the address that proxy appended to
 * X-Forwarded-For; the header of anyone else is ignored, since a client can write any value there.
 */
import { canonicalIp, ipGroup, socketIp } from "../identity/addr";

/** Proxies whose X-Forwarded-For is believed, by their canonical IP. */
export class TrustedProxies {
  private readonly keys: ReadonlySet<string>;

  constructor(addresses: readonly string[] = []) {
    const keys = new Set<string>();
    for (const address of addresses) {
      const ip = socketIp(address.trim());
      if (!ip) throw new RangeError(`a trusted proxy must be a literal IP address, got "${address}"`);
      keys.add(ipKey(ip));
    }
    this.keys = keys;
  }

  get size(): number {
    return this.keys.size;
  }

  trusts(ip: Uint8Array): boolean {
    return this.keys.has(ipKey(ip));
  }
}

/** The client's limit group, or null when it is exempt (loopback); `remoteAddress` is the socket's peer. */
export function clientGroup(
  remoteAddress: string | undefined,
  forwardedFor: string | null,
  proxies: TrustedProxies,
): string | null {
  const peer = socketIp(remoteAddress);
  if (!peer) return `unknown:${remoteAddress ?? ""}`.slice(0, 80);
  if (forwardedFor === null || proxies.size === 0 || !proxies.trusts(peer)) return ipGroup(peer);
  const client = forwardedClient(forwardedFor, proxies);
  // A trusted proxy that sent no usable address: its requests share one bucket, never none.
  return client ? ipGroup(client) : "forwarded:unparsable";
}

/** Most header values have one or two hops; a longer list is read from its right end only. */
const MAX_HOPS = 16;

/**
 * The rightmost address in X-Forwarded-For that is not itself a trusted proxy: each proxy appends
 * the address it was connected from, so everything left of that is the client's own word.
 */
function forwardedClient(header: string, proxies: TrustedProxies): Uint8Array | null {
  const hops = header.split(",").slice(-MAX_HOPS);
  let client: Uint8Array | null = null;
  for (let i = hops.length - 1; i >= 0; i--) {
    client = hopIp(hops[i]);
    if (!client) return null;
    if (!proxies.trusts(client)) return client;
  }
  return client;
}

/** One entry of the list: an IP, an IPv6 address in brackets, either with a port. */
function hopIp(hop: string): Uint8Array | null {
  const text = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) return socketIp(bracketed[1]);
  const v4WithPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(text);
  if (v4WithPort) return canonicalIp(v4WithPort[1]);
  return socketIp(text);
}

function ipKey(ip: Uint8Array): string {
  return Buffer.from(ip).toString("hex");
}
