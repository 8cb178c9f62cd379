/**
 * lib crypto: seal and open with @noble (what the browser runs), open on node:crypto (what the
 * CLI runs), and the node's per-request primitives — Ed25519 verify and SHA-256 — on both
 * backends. Printed, no target.
 */
import { generateIdentity, nobleCrypto, open, seal, signRetrieve, utf8, verifyRetrieve } from "@wisp/lib";
import { nodeCrypto } from "../../node/src/crypto/node-crypto";
import { type BenchConfig, pick } from "../lib/config";
import { bodyLengthFor, filler } from "../lib/envelopes";
import type { Row } from "../lib/row";
import { count, median, nowMs } from "../lib/stats";

export async function libCrypto(config: BenchConfig): Promise<Row> {
  const runMs = pick(config, 400, 40);
  const runs = pick(config, 5, 1);
  const alice = generateIdentity();
  const bob = generateIdentity();
  const body = filler(bodyLengthFor(1024));
  const sealed = seal(alice, bob.publicKey, body);
  const retrieve = signRetrieve(bob, Date.now(), [], 0);
  const data = utf8("x".repeat(1024));
  const rates = {
    sealNoble: opsPerSecond(() => seal(alice, bob.publicKey, body), runMs, runs),
    openNoble: opsPerSecond(() => open(bob, sealed), runMs, runs),
    openNode: opsPerSecond(() => open(bob, sealed, nodeCrypto), runMs, runs),
    verifyRetrieveNoble: opsPerSecond(() => verifyRetrieve(retrieve, nobleCrypto), runMs, runs),
    verifyRetrieveNode: opsPerSecond(() => verifyRetrieve(retrieve, nodeCrypto), runMs, runs),
    sha256Noble1KiB: opsPerSecond(() => nobleCrypto.sha256(data), runMs, runs),
    sha256Node1KiB: opsPerSecond(() => nodeCrypto.sha256(data), runMs, runs),
  };
  config.log(`crypto: ${JSON.stringify(rates)}`);
  return {
    row: "lib crypto",
    figure: `noble: seal ${count(rates.sealNoble)}/s, open ${count(rates.openNoble)}/s, retrieve verify ${count(rates.verifyRetrieveNoble)}/s, SHA-256 (1 KiB) ${count(rates.sha256Noble1KiB)}/s; node:crypto: open ${count(rates.openNode)}/s, retrieve verify ${count(rates.verifyRetrieveNode)}/s, SHA-256 (1 KiB) ${count(rates.sha256Node1KiB)}/s`,
    target: "printed",
    met: null,
    command: "npm run bench (bench/rows/crypto.ts: one thread, 1 KiB envelopes)",
    values: rates,
    note: `median of ${runs} runs of ${runMs} ms after a warm-up run`,
  };
}

function opsPerSecond(op: () => unknown, runMs: number, runs: number): number {
  const rates: number[] = [];
  for (let run = -1; run < runs; run++) {
    const started = nowMs();
    let done = 0;
    while (nowMs() - started < runMs) {
      for (let i = 0; i < 8; i++) op();
      done += 8;
    }
    if (run >= 0) rates.push((done * 1000) / (nowMs() - started));
  }
  return median(rates);
}
