import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalIp,
  formatNodeAddr,
  ipGroup,
  parseNodeAddr,
  rateGroupOf,
  socketIp,
} from "../../src/identity/addr";

describe("parseNodeAddr: only literal, canonical addresses", () => {
  it("accepts canonical IPv4 and IPv6 with a port", () => {
    expect(parseNodeAddr("127.0.0.1:7400")).toEqual({
      host: "127.0.0.1",
      port: 7400,
      ip: Uint8Array.from([127, 0, 0, 1]),
    });
    expect(parseNodeAddr("[::1]:7400")?.ip).toEqual(
      Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? 1 : 0)),
    );
    expect(parseNodeAddr("[2001:db8::1]:1")?.host).toBe("2001:db8::1");
    expect(parseNodeAddr("0.0.0.0:1")?.host).toBe("0.0.0.0");
  });

  it("refuses every alias of one listener", () => {
    for (const alias of [
      "127.1:7400",
      "0x7f.0.0.1:7400",
      "0177.0.0.1:7400",
      "127.000.0.1:7400",
      "127.0.0.01:7400",
      "2130706433:7400",
      "localhost:7400",
      "127.0.0.1:07400",
      "127.0.0.1:0",
      "127.0.0.1:65536",
      "127.0.0.1",
      "[::ffff:127.0.0.1]:7400",
      "[::ffff:7f00:1]:7400",
      "[0:0:0:0:0:0:0:1]:7400",
      "[::0001]:7400",
      "[2001:DB8::1]:7400",
      "[2001:db8:0:0:1:0:0:1]:7400",
      "[fe80::1%eth0]:7400",
      "::1:7400",
      " 127.0.0.1:7400",
      "256.0.0.1:7400",
    ])
      expect(parseNodeAddr(alias), alias).toBeNull();
  });

  it("has exactly one spelling per IPv4 address and port", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 1, max: 65_535 }), (ip, port) => {
        const parsed = parseNodeAddr(formatNodeAddr(ip, port));
        expect(parsed?.host).toBe(ip);
        expect(canonicalIp(ip)).toEqual(Uint8Array.from(ip.split(".").map(Number)));
      }),
    );
  });

  it("reads a socket's remote address, IPv4 clients of dual-stack sockets as IPv4", () => {
    expect(socketIp("::ffff:10.1.2.3")).toEqual(Uint8Array.from([10, 1, 2, 3]));
    expect(socketIp("127.0.0.1")).toEqual(Uint8Array.from([127, 0, 0, 1]));
    expect(socketIp(undefined)).toBeNull();
  });

  it("counts rate limits per IPv4 address and per IPv6 /64", () => {
    expect(rateGroupOf("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(rateGroupOf("2001:db8::1")).toBe(rateGroupOf("2001:db8::ffff:ffff"));
    expect(rateGroupOf("2001:db8:0:1::1")).not.toBe(rateGroupOf("2001:db8::1"));
    expect(rateGroupOf("127.0.0.1")).toBe("127.0.0.1");
    expect(rateGroupOf("::1")).toBe("::1");
  });

  it("groups IPv6 by /64, IPv4 by address, and never loopback", () => {
    expect(ipGroup(canonicalIp("10.0.0.1") as Uint8Array)).toBe("10.0.0.1");
    expect(ipGroup(canonicalIp("2001:db8::1") as Uint8Array)).toBe(
      ipGroup(canonicalIp("2001:db8::ffff:1") as Uint8Array),
    );
    expect(ipGroup(canonicalIp("2001:db8:0:1::1") as Uint8Array)).not.toBe(
      ipGroup(canonicalIp("2001:db8::1") as Uint8Array),
    );
    expect(ipGroup(canonicalIp("127.5.6.7") as Uint8Array)).toBeNull();
    expect(ipGroup(canonicalIp("::1") as Uint8Array)).toBeNull();
  });
});
