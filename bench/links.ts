/**
 * `npx tsx bench/links.ts`: what authenticated links cost (docs/performance.md, docs/security.md):
 * the Noise handshake's CPU (both sides, in process) and its latency over TCP on 127.0.0.1, the
 * memory one idle link holds, the key puzzle's cost at start, and what grinding a ring position
 * near a chosen mailbox costs. Prints one JSON object.
 */
import { cpus, loadavg } from "node:os";
import curve from "noise-curve-ed";
import NoiseState from "noise-handshake";
import { DEFAULT_PUZZLE_BITS, puzzleBitsOf } from "../node/src/identity/node-id";
import { generateNodeKey } from "../node/src/identity/node-key";
import { TcpTransport } from "../node/src/transport/tcp";
import { openLink, settingsFor } from "../node/test/transport/link-client";

const now = () => Number(process.hrtime.bigint()) / 1e6;

function handshakeCpuMs(rounds: number): number {
  const a = generateNodeKey(0);
  const b = generateNodeKey(0);
  const pair = (k: typeof a) => ({
    publicKey: Buffer.from(k.publicKey),
    secretKey: Buffer.from(k.secretKey),
  });
  const started = now();
  for (let i = 0; i < rounds; i++) {
    const initiator = new NoiseState("XX", true, pair(a), { curve });
    const responder = new NoiseState("XX", false, pair(b), { curve });
    initiator.initialise(Buffer.from("wisp/link/v1"));
    responder.initialise(Buffer.from("wisp/link/v1"));
    responder.recv(initiator.send());
    initiator.recv(responder.send());
    responder.recv(initiator.send());
  }
  return (now() - started) / rounds;
}

function keygenUs(rounds: number): number {
  const started = now();
  for (let i = 0; i < rounds; i++) puzzleBitsOf(generateNodeKey(0).publicKey);
  return ((now() - started) / rounds) * 1000;
}

function puzzleSolveMs(rounds: number): number {
  const started = now();
  for (let i = 0; i < rounds; i++) generateNodeKey(DEFAULT_PUZZLE_BITS);
  return (now() - started) / rounds;
}

async function tcp(links: number): Promise<{ connectMs: number; bytesPerLink: number }> {
  const node = new TcpTransport({ host: "127.0.0.1", port: 0, puzzleBits: 0 });
  const addr = await node.listen(async () => ({ t: "ok" }));
  for (let i = 0; i < 20; i++) (await openLink(addr)).socket.destroy(); // warm up
  const latencies: number[] = [];
  for (let i = 0; i < 100; i++) {
    const started = now();
    const link = await openLink(addr);
    latencies.push(now() - started);
    link.socket.destroy();
  }
  latencies.sort((x, y) => x - y);
  global.gc?.();
  const before = process.memoryUsage();
  const settings = settingsFor();
  const open = [];
  for (let i = 0; i < links; i++) open.push(await openLink(addr, settings));
  global.gc?.();
  const after = process.memoryUsage();
  for (const link of open) link.socket.destroy();
  await node.close();
  // Both ends of every link live in this process: half the growth is one node's side of one link.
  const grown = after.rss - before.rss;
  return { connectMs: latencies[50], bytesPerLink: Math.round(grown / links / 2) };
}

const handshake = handshakeCpuMs(300);
const keygen = keygenUs(3_000);
const solve = puzzleSolveMs(20);
const links = await tcp(500);
const grind = (ringSize: number) => (ringSize * 2 ** DEFAULT_PUZZLE_BITS * keygen) / 1e6;
console.log(
  JSON.stringify(
    {
      loadavg: loadavg().map((l) => Number(l.toFixed(2))),
      cpus: cpus().length,
      handshakeCpuMsBothSides: Number(handshake.toFixed(3)),
      tcpConnectAndHandshakeP50Ms: Number(links.connectMs.toFixed(3)),
      rssBytesPerIdleLinkPerSide: links.bytesPerLink,
      keygenAndPuzzleCheckUs: Number(keygen.toFixed(1)),
      puzzleBits: DEFAULT_PUZZLE_BITS,
      puzzleSolveMeanMs: Number(solve.toFixed(1)),
      grindOneMailboxCpuSeconds: { ring64: grind(64), ring1000: grind(1_000), ring10000: grind(10_000) },
    },
    null,
    1,
  ),
);
