import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, parseConfig } from "../../src/config";

describe("parseConfig", () => {
  it("has the PROTOCOL.md defaults", () => {
    expect(parseConfig([], {})).toEqual({ ok: true, config: DEFAULT_CONFIG });
    expect(DEFAULT_CONFIG).toMatchObject({
      host: "127.0.0.1",
      port: 7400,
      apiPort: 7401,
      bootstrap: null,
      ttlMs: 86_400_000,
      replicas: 3,
    });
  });

  it("reads every variable, and a flag wins over its variable", () => {
    const env = {
      WISP_HOST: "10.0.0.5",
      WISP_PORT: "9000",
      WISP_API_PORT: "9001",
      WISP_BOOTSTRAP: "10.0.0.1:7400",
      WISP_TTL_MS: "2000",
      WISP_REPLICAS: "2",
      WISP_WEB_ROOT: "webclient/dist",
      WISP_DATA_DIR: "/var/lib/wisp",
      WISP_PUBLIC_URL: "https://wisp.example.org/",
      WISP_TLS_CERT: "/etc/wisp/cert.pem",
      WISP_TLS_KEY: "/etc/wisp/key.pem",
      WISP_KEY_FILE: "/etc/wisp/env.key",
      WISP_TRUSTED_PROXY: "127.0.0.1, ::1",
    };
    const result = parseConfig(
      ["--port", "0", "--api-port=0", "--replicas=2", "--replicas", "4", "--key-file", "/etc/wisp/node.key"],
      env,
    );
    expect(result).toEqual({
      ok: true,
      config: {
        host: "10.0.0.5",
        port: 0,
        apiPort: 0,
        bootstrap: "10.0.0.1:7400",
        ttlMs: 2000,
        replicas: 4,
        webRoot: "webclient/dist",
        dataDir: "/var/lib/wisp",
        publicUrl: "https://wisp.example.org",
        tlsCert: "/etc/wisp/cert.pem",
        tlsKey: "/etc/wisp/key.pem",
        keyFile: "/etc/wisp/node.key",
        trustedProxies: ["127.0.0.1", "::1"],
      },
    });
  });

  it("wants the TLS certificate and key together, and a public URL that is http(s)", () => {
    const error = (argv: string[]) => {
      const result = parseConfig(argv, {});
      return result.ok === false ? result.error : null;
    };
    expect(error(["--tls-cert", "c.pem"])).toMatch(/WISP_TLS_CERT and WISP_TLS_KEY go together/);
    expect(error(["--tls-key", "k.pem"])).toMatch(/go together/);
    expect(error(["--tls-cert", "c.pem", "--tls-key", "k.pem"])).toBeNull();
    expect(error(["--public-url", "ftp://x"])).toBe('--public-url expected an http(s) URL, got "ftp://x"');
    expect(parseConfig(["--public-url", "http://203.0.113.9:7401"], {})).toMatchObject({
      config: { publicUrl: "http://203.0.113.9:7401" },
    });
  });

  it("answers a clear error for bad values and unknown flags", () => {
    const error = (argv: string[], env: Record<string, string> = {}) => {
      const result = parseConfig(argv, env);
      return result.ok === false ? result.error : null;
    };
    expect(error(["--port", "70000"])).toBe("--port expected 0..65535, got 70000");
    expect(error([], { WISP_PORT: "abc" })).toBe('WISP_PORT expected an integer, got "abc"');
    expect(error(["--bootstrap", "nohost"])).toBe('--bootstrap expected host:port, got "nohost"');
    expect(error(["--ttl-ms", "0"])).toMatch(/--ttl-ms expected 1\.\./);
    expect(error(["--replicas", "-1"])).toMatch(/--replicas expected an integer/);
    expect(error(["--trusted-proxy", "proxy.local"])).toMatch(
      /--trusted-proxy expected literal IP addresses/,
    );
    expect(error(["--frob"])).toBe('unknown argument "--frob"; see --help');
    expect(error(["--host"])).toBe("--host needs a value");
    expect(parseConfig(["--help"], {})).toEqual({ ok: "help" });
    expect(parseConfig(["-h"], {})).toEqual({ ok: "help" });
    expect(error(["--frob=1"])).toBe('unknown argument "--frob=1"; see --help');
    expect(error(["--help=1"])).toBe('unknown argument "--help=1"; see --help');
    expect(error(["7400"])).toBe('unknown argument "7400"; see --help');
    expect(error(["-p", "1"])).toBe('unknown argument "-p"; see --help');
    expect(error(["--", "--port", "1"])).toBe('unknown argument "--"; see --help');
    expect(error(["--frob", "--help"])).toBe('unknown argument "--frob"; see --help');
    expect(error(["--host="])).toMatch(/--host expected a host name/);
  });
});
