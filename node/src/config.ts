/** Node configuration from environment variables and flags (PROTOCOL.md "Running a node"); a flag wins. */
import { isIP } from "node:net";
import { parseArgs } from "node:util";
import {
  DEFAULT_API_PORT,
  DEFAULT_NODE_PORT,
  DEFAULT_REPLICAS,
  DEFAULT_TTL_MS,
  parseApiUrl,
} from "@wisp/lib";

export interface NodeConfig {
  host: string;
  port: number;
  apiPort: number;
  bootstrap: string | null;
  ttlMs: number;
  replicas: number;
  /** Folder of the built web app served on the API port; null serves the API only. */
  webRoot: string | null;
  /** Folder of the durable entry log (docs/storage.md) and the node key; null keeps entries in memory only. */
  dataDir: string | null;
  /** The node's secret key file, created when missing; null: node.key in dataDir, else a fresh key each start. */
  keyFile: string | null;
  /** The client API URL advertised to clients through other nodes; null: http(s)://host:apiPort. */
  publicUrl: string | null;
  /** PEM files of the certificate chain and its key; with both the API is served over HTTPS. */
  tlsCert: string | null;
  tlsKey: string | null;
  /** Reverse proxies (literal IPs) whose X-Forwarded-For names the client for the API's limits. */
  trustedProxies: string[];
}

export type ConfigResult = { ok: true; config: NodeConfig } | { ok: false; error: string } | { ok: "help" };

interface Setting<K extends keyof NodeConfig> {
  env: string;
  flag: string;
  parse: (text: string, name: string) => NodeConfig[K];
  help: string;
}

const SETTINGS: { [K in keyof NodeConfig]: Setting<K> } = {
  host: {
    env: "WISP_HOST",
    flag: "--host",
    parse: parseHost,
    help: "address to bind and to advertise (127.0.0.1)",
  },
  port: {
    env: "WISP_PORT",
    flag: "--port",
    parse: parsePort,
    help: `TCP port for node-to-node traffic (${DEFAULT_NODE_PORT}; 0 = any free port)`,
  },
  apiPort: {
    env: "WISP_API_PORT",
    flag: "--api-port",
    parse: parsePort,
    help: `HTTP port of the client API (${DEFAULT_API_PORT}; 0 = any free port)`,
  },
  bootstrap: {
    env: "WISP_BOOTSTRAP",
    flag: "--bootstrap",
    parse: parseHostPort,
    help: "host:port of a node of an existing ring (unset: start a new ring)",
  },
  ttlMs: {
    env: "WISP_TTL_MS",
    flag: "--ttl-ms",
    parse: parseTtl,
    help: `message lifetime in ms (${DEFAULT_TTL_MS})`,
  },
  replicas: {
    env: "WISP_REPLICAS",
    flag: "--replicas",
    parse: parseReplicas,
    help: `copies of each mailbox entry (${DEFAULT_REPLICAS})`,
  },
  webRoot: {
    env: "WISP_WEB_ROOT",
    flag: "--web-root",
    parse: parseNonEmpty,
    help: "folder of the built web app to serve on the API port",
  },
  dataDir: {
    env: "WISP_DATA_DIR",
    flag: "--data-dir",
    parse: parseNonEmpty,
    help: "folder to keep entries and the node key in across restarts (unset: memory)",
  },
  keyFile: {
    env: "WISP_KEY_FILE",
    flag: "--key-file",
    parse: parseNonEmpty,
    help: "the node's secret key, created when missing (node.key in the data dir; else fresh)",
  },
  publicUrl: {
    env: "WISP_PUBLIC_URL",
    flag: "--public-url",
    parse: parsePublicUrl,
    help: "client API URL to advertise (http(s)://host:api-port)",
  },
  tlsCert: {
    env: "WISP_TLS_CERT",
    flag: "--tls-cert",
    parse: parseNonEmpty,
    help: "PEM certificate chain; with --tls-key serves HTTPS",
  },
  tlsKey: {
    env: "WISP_TLS_KEY",
    flag: "--tls-key",
    parse: parseNonEmpty,
    help: "PEM private key of --tls-cert",
  },
  trustedProxies: {
    env: "WISP_TRUSTED_PROXY",
    flag: "--trusted-proxy",
    parse: parseIpList,
    help: "IPs of reverse proxies whose X-Forwarded-For names the client (comma-separated)",
  },
};

const KEYS = Object.keys(SETTINGS) as (keyof NodeConfig)[];
/** parseArgs' option name of each flag ("--api-port" → "api-port"). */
const KEY_BY_OPTION = new Map(KEYS.map((key) => [SETTINGS[key].flag.slice(2), key]));
const OPTIONS = {
  help: { type: "boolean", short: "h" },
  ...Object.fromEntries(KEYS.map((key) => [SETTINGS[key].flag.slice(2), { type: "string" }])),
} as const;

export const DEFAULT_CONFIG: NodeConfig = {
  host: "127.0.0.1",
  port: DEFAULT_NODE_PORT,
  apiPort: DEFAULT_API_PORT,
  bootstrap: null,
  ttlMs: DEFAULT_TTL_MS,
  replicas: DEFAULT_REPLICAS,
  webRoot: null,
  dataDir: null,
  keyFile: null,
  publicUrl: null,
  tlsCert: null,
  tlsKey: null,
  trustedProxies: [],
};

export const USAGE = `usage: wisp-node [flags]   (each flag also reads its environment variable; a flag wins)\n${KEYS.map(
  (key) =>
    `  ${`${SETTINGS[key].flag} VALUE`.padEnd(20)} ${SETTINGS[key].env.padEnd(15)} ${SETTINGS[key].help}`,
).join("\n")}`;

export function parseConfig(argv: readonly string[], env: Record<string, string | undefined>): ConfigResult {
  const config: NodeConfig = { ...DEFAULT_CONFIG };
  try {
    for (const key of KEYS) {
      const value = env[SETTINGS[key].env];
      if (value !== undefined && value !== "") apply(config, key, value, SETTINGS[key].env);
    }
    // Not strict: every argument is judged here, in order, with this file's messages.
    const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, tokens: true });
    for (const token of tokens) {
      const arg = argv[token.index];
      if (token.kind !== "option") throw new ConfigError(`unknown argument "${arg}"; see --help`);
      if (token.name === "help" && token.value === undefined) return { ok: "help" };
      const key = KEY_BY_OPTION.get(token.name);
      if (key === undefined) throw new ConfigError(`unknown argument "${arg}"; see --help`);
      if (token.value === undefined) throw new ConfigError(`${token.rawName} needs a value`);
      apply(config, key, token.value, token.rawName);
    }
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, error: error.message };
    throw error;
  }
  if ((config.tlsCert === null) !== (config.tlsKey === null))
    return { ok: false, error: "WISP_TLS_CERT and WISP_TLS_KEY go together: set both or neither" };
  return { ok: true, config };
}

function apply<K extends keyof NodeConfig>(config: NodeConfig, key: K, text: string, name: string): void {
  config[key] = SETTINGS[key].parse(text, name);
}

class ConfigError extends Error {}

function parseInteger(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new ConfigError(`${name} expected an integer, got "${text}"`);
  const value = Number(text.trim());
  if (value < min || value > max) throw new ConfigError(`${name} expected ${min}..${max}, got ${value}`);
  return value;
}

function parsePort(text: string, name: string): number {
  return parseInteger(text, name, 0, 65_535);
}

function parseTtl(text: string, name: string): number {
  return parseInteger(text, name, 1, 365 * DEFAULT_TTL_MS);
}

function parseReplicas(text: string, name: string): number {
  return parseInteger(text, name, 1, 16);
}

function parseHost(text: string, name: string): string {
  const host = text.trim();
  if (!/^[A-Za-z0-9.\-:]+$/.test(host))
    throw new ConfigError(`${name} expected a host name or IP address, got "${text}"`);
  return host;
}

function parseHostPort(text: string, name: string): string {
  const match = /^(.+):(\d+)$/.exec(text.trim());
  if (!match) throw new ConfigError(`${name} expected host:port, got "${text}"`);
  const port = parseInteger(match[2], name, 1, 65_535);
  return `${parseHost(match[1], name)}:${port}`;
}

function parsePublicUrl(text: string, name: string): string {
  const url = parseApiUrl(text);
  if (!url) throw new ConfigError(`${name} expected an http(s) URL, got "${text}"`);
  return url;
}

function parseIpList(text: string, name: string): string[] {
  const ips = text.split(",").map((part) => part.trim());
  for (const ip of ips)
    if (!isIP(ip))
      throw new ConfigError(`${name} expected literal IP addresses, comma-separated, got "${text}"`);
  return ips;
}

function parseNonEmpty(text: string, name: string): string {
  if (text.trim() === "") throw new ConfigError(`${name} must not be empty`);
  return text;
}
