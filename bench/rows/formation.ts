/**
 * Ring formation (issue 16, item 5): how long after the last join every successor and predecessor
 * is right, for N nodes started back to back in one process (startNode × N, each awaited, default
 * timers) and for a flash crowd of processes joining at once through one node; and read-after-store
 * misses: messages stored right after the last join that a retrieve through another node misses.
 */
import { encodeBody, generateIdentity, seal, signRetrieve } from "@wisp/lib";
import { type NodeHandle, startNode } from "../../node/src/index";
import { seededRandom } from "../../node/src/sim/random";
import { type BenchConfig, pick } from "../lib/config";
import { type NodeProcess, spawnWispNode } from "../lib/processes";
import type { Row } from "../lib/row";
import { ms, nowMs, sleep } from "../lib/stats";

const FORMATION_TIMEOUT_MS = 120_000;

interface View {
  id: string;
  addr: string;
  successor: string | undefined;
  predecessor: string | undefined;
}

/** Every node's successor and predecessor are its neighbours in id order. */
export function ringIsCorrect(views: readonly View[]): boolean {
  const sorted = [...views].sort((a, b) => (a.id < b.id ? -1 : 1));
  return sorted.every(
    (view, i) =>
      view.successor === sorted[(i + 1) % sorted.length].addr &&
      view.predecessor === sorted[(i - 1 + sorted.length) % sorted.length].addr,
  );
}

function viewOf(node: NodeHandle): View {
  return {
    id: node.id,
    addr: node.addr,
    successor: node.chord.successors()[0]?.addr,
    predecessor: node.chord.predecessor()?.addr,
  };
}

async function until(check: () => Promise<boolean> | boolean, pollMs: number): Promise<number> {
  const started = nowMs();
  while (nowMs() - started < FORMATION_TIMEOUT_MS) {
    if (await check()) return nowMs() - started;
    await sleep(pollMs);
  }
  throw new Error(`no correct ring within ${FORMATION_TIMEOUT_MS} ms`);
}

/**
 * startNode × n back to back; answers the time from the last join to a correct ring, and to every
 * successor list being full (min(r, n − 1) entries), and the nodes.
 */
export async function formInProcess(
  n: number,
): Promise<{ ms: number; fullListsMs: number; nodes: NodeHandle[] }> {
  const nodes: NodeHandle[] = [];
  try {
    for (let i = 0; i < n; i++)
      nodes.push(await startNode({ port: 0, apiPort: 0, bootstrap: i === 0 ? null : nodes[0].addr }));
    const started = nowMs();
    const took = await until(() => ringIsCorrect(nodes.map(viewOf)), 5);
    const full = (node: NodeHandle) =>
      node.chord.successors().length === Math.min(node.chord.table.maxSuccessors, n - 1);
    await until(() => nodes.every(full), 5);
    return { ms: took, fullListsMs: nowMs() - started, nodes };
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw error;
  }
}

/** Stores `count` messages through random nodes at once, then reads each through another node. */
export async function readAfterStoreMisses(nodes: readonly NodeHandle[], count: number): Promise<number> {
  const random = seededRandom(16);
  const pick = () => nodes[Math.floor(random() * nodes.length)];
  const sender = generateIdentity();
  const sent = await Promise.all(
    Array.from({ length: count }, async () => {
      const recipient = generateIdentity();
      const envelope = seal(
        sender,
        recipient.publicKey,
        encodeBody({ type: "text", text: "read after store", sentAt: 0 }),
      );
      const via = pick();
      await via.mailboxes.store(envelope);
      return { mailbox: envelope.to, id: envelope.id, via, recipient };
    }),
  );
  let missing = 0;
  for (const { mailbox, id, via, recipient } of sent) {
    let reader = pick();
    while (reader === via && nodes.length > 1) reader = pick();
    const ts = Date.now();
    const { pk, sig } = signRetrieve(recipient, ts, [], 0);
    const proof = { pk, ts, ack: [], sig };
    const answer = await reader.mailboxes.retrieve(mailbox, proof, { waitMs: 0 });
    if (!answer.messages.some((m) => m.id === id)) missing++;
  }
  return missing;
}

async function processView(node: NodeProcess): Promise<View> {
  const response = await fetch(`${node.apiUrl}/v1/node`, { signal: AbortSignal.timeout(5_000) });
  const info = (await response.json()) as {
    id: string;
    addr: string;
    predecessor: { addr: string } | null;
    successors: { addr: string }[];
  };
  return {
    id: info.id,
    addr: info.addr,
    successor: info.successors[0]?.addr,
    predecessor: info.predecessor?.addr,
  };
}

async function healthy(node: NodeProcess): Promise<boolean> {
  const status = await fetch(`${node.apiUrl}/v1/health`, { signal: AbortSignal.timeout(5_000) })
    .then(async (r) => {
      await r.body?.cancel();
      return r.status;
    })
    .catch(() => 0);
  return status === 200;
}

/** One node, then n − 1 processes at once through it: from all healthy to a correct ring. */
export async function flashCrowd(n: number): Promise<{ healthyMs: number; correctMs: number }> {
  const nodes: NodeProcess[] = [];
  try {
    nodes.push(await spawnWispNode());
    const started = nowMs();
    nodes.push(
      ...(await Promise.all(
        Array.from({ length: n - 1 }, () => spawnWispNode({ WISP_BOOTSTRAP: nodes[0].addr })),
      )),
    );
    await until(async () => (await Promise.all(nodes.map(healthy))).every(Boolean), 20);
    const healthyMs = nowMs() - started;
    const correctMs = await until(async () => ringIsCorrect(await Promise.all(nodes.map(processView))), 50);
    return { healthyMs, correctMs };
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
}

export async function ringFormation(config: BenchConfig): Promise<Row[]> {
  const sizes = pick(config, [16, 64], [4]);
  const rows: Row[] = [];
  const figures: Record<string, number> = {};
  for (const n of sizes) {
    const { ms: took, fullListsMs, nodes } = await formInProcess(n);
    await Promise.all(nodes.map((node) => node.stop()));
    figures[`inProcess${n}Ms`] = took;
    figures[`inProcess${n}FullListsMs`] = fullListsMs;
    config.log(
      `ring formation: ${n} in one process, correct ${took.toFixed(0)} ms after the last join, full successor lists after ${fullListsMs.toFixed(0)} ms`,
    );
  }
  const stored = pick(config, 300, 20);
  const misses = await formFreshAndStore(sizes[0], stored);
  const crowd = pick(config, 32, 4);
  const flash = await flashCrowd(crowd);
  config.log(
    `ring formation: flash crowd of ${crowd}: healthy after ${flash.healthyMs.toFixed(0)} ms, correct ${flash.correctMs.toFixed(0)} ms later`,
  );
  const last = sizes[sizes.length - 1];
  rows.push({
    row: "ring formation",
    figure: `${sizes.map((n) => `N = ${n}: ${ms(figures[`inProcess${n}Ms`])}`).join(", ")} in one process; flash crowd of ${crowd} processes: ${ms(flash.correctMs)} after all healthy`,
    target: "64 in one process ≤ 2 s after the last join; 32 processes at once ≤ 5 s after all healthy",
    met: (figures[`inProcess${last}Ms`] ?? Infinity) <= 2_000 && flash.correctMs <= 5_000,
    command: "npm run bench -- formation (bench/rows/formation.ts)",
    values: {
      ...figures,
      flashCrowd: crowd,
      flashHealthyMs: flash.healthyMs,
      flashCorrectMs: flash.correctMs,
    },
    note: `correct: every successor and predecessor right; startNode × N each awaited, default timers; the crowd joins through one node. Full successor lists in one process: ${sizes.map((n) => `N = ${n} after ${ms(figures[`inProcess${n}FullListsMs`])}`).join(", ")}`,
  });
  rows.push({
    row: "read-after-store misses",
    figure: `${misses} of ${stored}`,
    target: "0",
    met: misses === 0,
    command: "npm run bench -- formation (bench/rows/formation.ts)",
    values: { missing: misses, stored },
    note: `startNode × ${sizes[0]} back to back; the stores start right after the last join, through random nodes, each read through another`,
  });
  return rows;
}

/** A fresh ring of n, and the misses of `count` stores started right after its last join. */
async function formFreshAndStore(n: number, count: number): Promise<number> {
  const nodes: NodeHandle[] = [];
  try {
    for (let i = 0; i < n; i++)
      nodes.push(await startNode({ port: 0, apiPort: 0, bootstrap: i === 0 ? null : nodes[0].addr }));
    return await readAfterStoreMisses(nodes, count);
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
}
