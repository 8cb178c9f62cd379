/**
 * Node processes on fixed 127.0.0.1 ports, so a node killed and started again comes back at the
 * same address (and ring id). Processes are started by e2e/harness.ts's spawnNode (bin/wisp-node).
 */
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningNode, spawnNode, stopAll } from "../e2e/harness";

/** Ports free right now on 127.0.0.1, all distinct: every probe listens until all are known. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
      });
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

const keyFiles: string[] = [];
process.once("exit", () => {
  for (const file of keyFiles) rmSync(file, { force: true });
});

/** Where a slot keeps its node key; removed when the test process exits. */
function slotKeyFile(): string {
  const file = join(tmpdir(), `wisp-slot-${process.pid}-${keyFiles.length}.key`);
  keyFiles.push(file);
  return file;
}

export class NodeSlot {
  node: RunningNode | null = null;
  starts = 0;
  private readonly keyFile = slotKeyFile();

  constructor(
    readonly port: number,
    readonly apiPort: number,
    private env: Record<string, string>,
  ) {}

  get addr(): string {
    return `127.0.0.1:${this.port}`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get running(): boolean {
    return this.node !== null && this.node.proc.exitCode === null && this.node.proc.signalCode === null;
  }

  /** Starts the process (bootstrap null: a new ring); resolves once it listens, before it joined. */
  async start(bootstrap: string | null): Promise<RunningNode> {
    if (this.running) throw new Error(`node ${this.addr} is running already`);
    // A node that comes back keeps its key, so it comes back at the same ring id, as one with a data dir does.
    const keyed = { ...this.env, WISP_KEY_FILE: this.keyFile };
    const env = bootstrap ? { ...keyed, WISP_BOOTSTRAP: bootstrap } : keyed;
    this.node = await spawnNode(env, 60_000, [
      "--port",
      String(this.port),
      "--api-port",
      String(this.apiPort),
    ]);
    this.starts++;
    return this.node;
  }

  async kill(): Promise<void> {
    const node = this.node;
    if (!node) return;
    await stopAll([node]);
  }

  /** Resident set size of the process in bytes (Linux /proc), or null when it is not running. */
  rssBytes(): number | null {
    const pid = this.node?.proc.pid;
    if (!this.running || pid === undefined) return null;
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      return match ? Number(match[1]) * 1024 : null;
    } catch {
      return null;
    }
  }
}

export async function killAll(slots: NodeSlot[]): Promise<void> {
  await stopAll(slots.flatMap((slot) => (slot.node ? [slot.node] : [])));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
