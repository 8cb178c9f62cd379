/**
 * Caps on the connections a node holds open for strangers, on either port (docs/security.md,
 * "Limits"): a total, and a share per source IP (per /64 for IPv6). Loopback has no per-IP share
 * (PROTOCOL.md: a ring of 64 nodes on 127.0.0.1 must work), only the total.
 */
import { ipGroup, socketIp } from "./addr";

export interface ConnectionCapOptions {
  total: number;
  perIp: number;
}

export class ConnectionCaps {
  private open = 0;
  private byGroup = new Map<string, number>();
  refused = 0;

  constructor(private readonly options: ConnectionCapOptions) {}

  /** Counts a new connection from remoteAddress; the release function, or null when it is over a cap. */
  admit(remoteAddress: string | undefined): (() => void) | null {
    const ip = socketIp(remoteAddress);
    const group = ip ? ipGroup(ip) : "unknown";
    const inGroup = group === null ? 0 : (this.byGroup.get(group) ?? 0);
    if (this.open >= this.options.total || (group !== null && inGroup >= this.options.perIp)) {
      this.refused++;
      return null;
    }
    this.open++;
    if (group !== null) this.byGroup.set(group, inGroup + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
      if (group === null) return;
      const left = (this.byGroup.get(group) ?? 1) - 1;
      if (left <= 0) this.byGroup.delete(group);
      else this.byGroup.set(group, left);
    };
  }
}
