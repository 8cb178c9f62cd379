/** Nodes as separate processes started through bin/wisp-node on 127.0.0.1 (ports 0), and polling helpers. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export interface NodeInfo {
  id: string;
  addr: string;
  predecessor: { id: string; addr: string } | null;
  successors: { id: string; addr: string }[];
  entries: number;
}

export interface RunningNode {
  proc: ChildProcess;
  addr: string;
  apiUrl: string;
  id: string;
  log: string[];
  exited: Promise<void>;
}

/** Builds node/dist once, so the processes started next do not race to build it. */
export function buildOnce(): void {
  execFileSync("node", [`${ROOT}node/build.mjs`, "--quiet"], { stdio: "inherit" });
}

/** Extra args come after the defaults, so `["--port", "7500"]` wins over `--port 0`. */
export async function spawnNode(
  env: Record<string, string> = {},
  timeoutMs = 20_000,
  args: string[] = [],
): Promise<RunningNode> {
  const proc = spawn(`${ROOT}bin/wisp-node`, ["--port", "0", "--api-port", "0", ...args], {
    env: { ...process.env, WISP_HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: string[] = [];
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  let buffered = "";
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`node did not listen in ${timeoutMs} ms: ${log.join("\n")}`)),
      timeoutMs,
    );
    proc.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        log.push(line);
        if (!line.includes('"event":"listening"')) continue;
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    proc.stderr!.on("data", (chunk: Buffer) => log.push(chunk.toString()));
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before listening: ${log.join("\n")}`));
    });
  });
  const info = await listening;
  return {
    proc,
    addr: info.addr as string,
    apiUrl: info.apiUrl as string,
    id: info.id as string,
    log,
    exited,
  };
}

export async function stopAll(nodes: RunningNode[]): Promise<void> {
  for (const node of nodes)
    if (node.proc.exitCode === null && node.proc.signalCode === null) node.proc.kill("SIGKILL");
  await Promise.all(nodes.map((node) => node.exited));
}

export async function nodeInfo(node: RunningNode): Promise<NodeInfo> {
  const response = await fetch(`${node.apiUrl}/v1/node`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as NodeInfo;
}

/** Polls `check` until it answers a value (not undefined) or the deadline passes; bounded. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

/** True when every node's successor and predecessor are its neighbours in id order. */
export async function ringIsConsistent(nodes: RunningNode[]): Promise<true | undefined> {
  const infos = await Promise.all(nodes.map(nodeInfo));
  const sorted = [...infos].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (let i = 0; i < sorted.length; i++) {
    const next = sorted[(i + 1) % sorted.length];
    const previous = sorted[(i - 1 + sorted.length) % sorted.length];
    if (sorted[i].successors[0]?.addr !== next.addr) return undefined;
    if (sorted[i].predecessor?.addr !== previous.addr) return undefined;
  }
  return true;
}

export async function post(node: RunningNode, path: string, body: unknown, timeoutMs = 30_000) {
  const response = await fetch(`${node.apiUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Runs bin/wisp against a node; answers its exit code and output. */
export function wisp(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const proc = spawn(`${ROOT}bin/wisp`, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    proc.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    proc.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    proc.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, err });
    });
  });
}
