/**
 * Who the API's limits count a request under (api/client-address.ts): an IPv4 address, an IPv6 /64,
 * nothing for loopback (PROTOCOL.md), and behind a trusted proxy the address that proxy appended
 * to X-Forwarded-For — never what a client wrote there itself.
 */
import { describe, expect, it } from "vitest";
import { clientGroup, TrustedProxies } from "../../src/api/client-address";

const NONE = new TrustedProxies();
const LOCAL_PROXY = new TrustedProxies(["127.0.0.1"]);

describe("clientGroup", () => {
  it("exempts loopback, counts IPv4 by address and IPv6 by /64", () => {
    expect(clientGroup("127.0.0.1", null, NONE)).toBeNull();
    expect(clientGroup("::1", null, NONE)).toBeNull();
    expect(clientGroup("::ffff:127.0.0.1", null, NONE)).toBeNull();
    expect(clientGroup("203.0.113.7", null, NONE)).toBe("203.0.113.7");
    expect(clientGroup("::ffff:203.0.113.7", null, NONE)).toBe("203.0.113.7");
    const a = clientGroup("2001:db8:1:2::1", null, NONE);
    expect(a).toBe(clientGroup("2001:db8:1:2:ffff:ffff:ffff:ffff", null, NONE));
    expect(a).not.toBe(clientGroup("2001:db8:1:3::1", null, NONE));
  });

  it("ignores X-Forwarded-For from anyone but a trusted proxy", () => {
    expect(clientGroup("203.0.113.7", "198.51.100.1", NONE)).toBe("203.0.113.7");
    expect(clientGroup("203.0.113.7", "198.51.100.1", LOCAL_PROXY)).toBe("203.0.113.7");
    // A loopback client that is not a configured proxy stays exempt, whatever it claims.
    expect(clientGroup("127.0.0.1", "198.51.100.1", NONE)).toBeNull();
  });

  it("takes the rightmost address a trusted proxy appended, skipping trusted hops", () => {
    expect(clientGroup("127.0.0.1", "198.51.100.1", LOCAL_PROXY)).toBe("198.51.100.1");
    // What the client wrote itself stands left of what the proxy appended.
    expect(clientGroup("127.0.0.1", "10.9.9.9, 198.51.100.1", LOCAL_PROXY)).toBe("198.51.100.1");
    const chain = new TrustedProxies(["127.0.0.1", "192.0.2.10"]);
    expect(clientGroup("127.0.0.1", "198.51.100.1, 192.0.2.10", chain)).toBe("198.51.100.1");
    expect(clientGroup("127.0.0.1", "[2001:db8:5:6::9]:443", LOCAL_PROXY)).toBe(
      clientGroup("2001:db8:5:6::1", null, NONE),
    );
    expect(clientGroup("127.0.0.1", "198.51.100.1:5123", LOCAL_PROXY)).toBe("198.51.100.1");
  });

  it("puts a trusted proxy's unreadable header in one shared bucket, never in none", () => {
    expect(clientGroup("127.0.0.1", "not an address", LOCAL_PROXY)).toBe("forwarded:unparsable");
    expect(clientGroup("127.0.0.1", "", LOCAL_PROXY)).toBe("forwarded:unparsable");
    expect(clientGroup("127.0.0.1", "198.51.100.1, 0x7f.1", LOCAL_PROXY)).toBe("forwarded:unparsable");
  });

  it("refuses a trusted proxy that is not a literal IP", () => {
    expect(() => new TrustedProxies(["proxy.example"])).toThrow(/literal IP/);
  });
});
