/** Child processes of the bench: nodes (bin/wisp-node or the bench node) and load generators. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./build";

export interface NodeProcess {
  proc: ChildProcess;
  pid: number;
  apiUrl: string;
  addr: string;
  /** Resolves with the next JSON line whose event is `event`. */
  next(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export function buildNodeDist(): void {
  execFileSync("node", [join(ROOT, "node/build.mjs"), "--quiet"], { stdio: "inherit" });
}

/** bin/wisp-node on ports 0, 127.0.0.1. */
export function spawnWispNode(env: Record<string, string> = {}): Promise<NodeProcess> {
  return watch(
    spawn(join(ROOT, "bin/wisp-node"), ["--port", "0", "--api-port", "0"], {
      env: { ...process.env, WISP_HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
}

/** The bench node bundle (rate limit lifted), with --expose-gc so its memory can be read after a GC. */
export function spawnBenchNode(script: string, nodeFlags: string[] = []): Promise<NodeProcess> {
  return watch(spawn("node", ["--expose-gc", ...nodeFlags, script], { stdio: ["ignore", "pipe", "pipe"] }));
}

async function watch(proc: ChildProcess, timeoutMs = 30_000): Promise<NodeProcess> {
  const waiting = new Map<string, (fields: Record<string, unknown>) => void>();
  const log: string[] = [];
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  let buffered = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      log.push(line);
      if (!line.startsWith("{")) continue;
      const fields = JSON.parse(line) as Record<string, unknown>;
      const resolve = waiting.get(String(fields.event));
      if (!resolve) continue;
      waiting.delete(String(fields.event));
      resolve(fields);
    }
  });
  proc.stderr?.on("data", (chunk: Buffer) => log.push(chunk.toString()));
  const next = (event: string, ms = timeoutMs) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(event);
        reject(new Error(`no "${event}" from pid ${proc.pid} in ${ms} ms: ${log.slice(-5).join(" | ")}`));
      }, ms);
      waiting.set(event, (fields) => {
        clearTimeout(timer);
        resolve(fields);
      });
    });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    await exited;
  };
  try {
    const info = await Promise.race([
      next("listening"),
      exited.then(() => {
        throw new Error(`node exited before listening: ${log.slice(-5).join(" | ")}`);
      }),
    ]);
    return {
      proc,
      pid: proc.pid as number,
      apiUrl: String(info.apiUrl),
      addr: String(info.addr),
      next,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Runs the load generator bundle on a job file; resolves with its JSON result line. */
export function runLoadgen<T>(script: string, jobFile: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn("node", [script, jobFile], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
    proc.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    proc.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{"))
        reject(new Error(`loadgen exited ${code}: ${err.slice(-300)}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}
