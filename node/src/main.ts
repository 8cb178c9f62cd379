/**
 * bin/wisp-node: reads the configuration, starts the node, logs one JSON line per event (the first,
 * "listening", names the bound ports), and on SIGTERM/SIGINT hands entries to the successor and exits.
 */
import { readFileSync } from "node:fs";
import { parseConfig, USAGE } from "./config";
import { type NodeHandle, startNode } from "./index";
import { tuningFromEnv } from "./tuning";

/** A node waits for its bootstrap this many attempts (backoff up to 8 s): about a day. */
const JOIN_ATTEMPTS = 10_000;
/** A hand-off that takes longer than this is abandoned; the replicas still hold every entry. */
const SHUTDOWN_DEADLINE_MS = 15_000;

function log(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
}

const parsed = parseConfig(process.argv.slice(2), process.env);
if (parsed.ok === "help") {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (parsed.ok === false) {
  process.stderr.write(`wisp-node: ${parsed.error}\n${USAGE}\n`);
  process.exit(2);
}
const config = parsed.config;
const tuned = tuningFromEnv(process.env);
if (!tuned.ok) {
  process.stderr.write(`wisp-node: ${tuned.error}\n`);
  process.exit(2);
}
const tuning = tuned.tuning;

let node: NodeHandle | null = null;
let signalledAt = 0;

async function onSignal(signal: string): Promise<void> {
  // A second signal forces the exit, unless it is the same stop arriving twice (bin/run's TERM after a terminal's INT).
  if (signalledAt > 0) {
    if (Date.now() - signalledAt > 1_000) process.exit(1);
    return;
  }
  signalledAt = Date.now();
  log("stopping", { signal, entries: node?.mailboxes.entryCount() ?? 0 });
  const deadline = setTimeout(() => {
    log("stop_deadline", { ms: SHUTDOWN_DEADLINE_MS });
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  await node?.stop({ graceful: true });
  log("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void onSignal("SIGTERM"));
process.on("SIGINT", () => void onSignal("SIGINT"));

/** Not at the top level: the node is bundled as CommonJS (node/build.mjs). */
async function start(): Promise<void> {
  try {
    node = await startNode({
      host: config.host,
      port: config.port,
      apiPort: config.apiPort,
      bootstrap: config.bootstrap,
      ttlMs: config.ttlMs,
      replicas: config.replicas,
      webRoot: config.webRoot,
      dataDir: config.dataDir,
      publicUrl: config.publicUrl,
      tls:
        config.tlsCert && config.tlsKey
          ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }
          : null,
      keyFile: config.keyFile,
      chord: { ...tuning.chord, joinAttempts: JOIN_ATTEMPTS },
      mailbox: tuning.mailbox,
      api: { trustedProxies: config.trustedProxies },
      log,
      onListening: (info) =>
        log("listening", {
          ...info,
          bootstrap: config.bootstrap,
          webRoot: config.webRoot,
          tls: config.tlsCert !== null,
          trustedProxies: config.trustedProxies,
        }),
    });
    log("joined", {
      addr: node.addr,
      bootstrap: config.bootstrap,
      successors: node.chord.successors().length,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log("failed", { message });
    process.stderr.write(`wisp-node: ${message}\n`);
    process.exit(1);
  }
}

void start();
