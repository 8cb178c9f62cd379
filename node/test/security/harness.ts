/**
 * A small real ring on 127.0.0.1 for the attack tests: nodes started by startNode (TCP, Noise
 * links, the node puzzle lowered to 4 bits so the test starts fast), honest clients over HTTP,
 * and the attackers — an outsider that only opens authenticated connections to the node port,
 * and Mallory, a member built from Wisp's own code (a real ChordNode with its own key) that lies.
 */
import {
  type Envelope,
  encodeBody,
  generateIdentity,
  type Identity,
  mailboxAddress,
  seal,
  signRetrieve,
} from "@wisp/lib";
import { ChordNode } from "../../src/chord/chord-node";
import { systemClock } from "../../src/clock";
import { generateNodeKey, type NodeKey } from "../../src/identity/node-key";
import { type NodeHandle, type StartNodeOptions, startNode } from "../../src/index";
import { RpcRouter } from "../../src/rpc/router";
import { MailboxService } from "../../src/store/mailbox-service";
import { MemoryEntryStore } from "../../src/store/memory-store";
import { TcpTransport } from "../../src/transport/tcp";
import { openLink, type RawLink, settingsFor } from "../transport/link-client";

export const PUZZLE_BITS = 4;
const FAST = { stabilizeMs: 100, fixFingersMs: 200, checkPredecessorMs: 200, rpcTimeoutMs: 1_000 };

export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  tries = 200,
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface TestRing {
  nodes: NodeHandle[];
  stop(): Promise<void>;
}

export async function startRing(n: number, extra: StartNodeOptions = {}): Promise<TestRing> {
  const nodes: NodeHandle[] = [];
  const common = { ...extra, port: 0, apiPort: 0, puzzleBits: PUZZLE_BITS, chord: FAST };
  nodes.push(await startNode({ ...common, bootstrap: null }));
  for (let i = 1; i < n; i++) nodes.push(await startNode({ ...common, bootstrap: nodes[0].addr }));
  await until(
    () =>
      nodes.every(
        (h) => h.chord.successors().length === Math.min(n - 1, 8) && h.chord.predecessor() !== null,
      ),
    `a ring of ${n}`,
  );
  return { nodes, stop: async () => void (await Promise.all(nodes.map((h) => h.stop()))) };
}

export function letter(from: Identity, to: Identity, text: string): Envelope {
  return seal(from, to.publicKey, encodeBody({ type: "text", text, sentAt: Date.now() }));
}

/** An API answer's JSON: a success's fields, or PROTOCOL.md's error object. */
export type ApiBody = Record<string, unknown> & { error?: { code: string; message: string } };

/** A POST to a node's API; `forwardedFor` is what a proxy in front of it would say the client is. */
export async function post(
  node: NodeHandle,
  path: string,
  body: unknown,
  forwardedFor?: string,
): Promise<{ status: number; body: ApiBody }> {
  const headers: Record<string, string> = forwardedFor ? { "x-forwarded-for": forwardedFor } : {};
  const response = await fetch(`${node.apiUrl}${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers,
  });
  return { status: response.status, body: (await response.json()) as ApiBody };
}

export async function retrieve(node: NodeHandle, who: Identity, ack: string[] = []) {
  const answer = await post(node, "/v1/retrieve", signRetrieve(who, Date.now(), ack, 0));
  if (answer.status !== 200)
    throw new Error(`retrieve answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body as { messages: { id: string }[]; nacks: { id: string; to: string }[]; more: boolean };
}

export { generateIdentity, mailboxAddress };

/**
 * An outsider: an authenticated link to a node's port, with a key of its own, listening nowhere
 * (or claiming, in its hello, an address where it does not listen).
 */
export async function outsider(
  node: NodeHandle,
  options: { key?: NodeKey; listenAddr?: string } = {},
): Promise<{ link: RawLink; ask(message: unknown): Promise<unknown> }> {
  const link = await openLink(node.addr, {
    ...settingsFor(options.key ?? generateNodeKey(PUZZLE_BITS), options.listenAddr ?? null),
    puzzleBits: PUZZLE_BITS,
  });
  let nextId = 1;
  const ask = async (message: unknown) => {
    const id = nextId++;
    const before = link.received.length;
    link.sendFrame(Buffer.from(JSON.stringify({ i: id, q: message })));
    await until(
      () => link.received.length > before || link.socket.destroyed,
      "an answer to the outsider",
      100,
    );
    const frame = link.received[before];
    if (!frame) throw new Error("the node closed the outsider's link instead of answering");
    return JSON.parse(Buffer.from(frame).toString());
  };
  return { link, ask };
}

/** Mallory: a real ring member from Wisp's own code and key, whose transport sends whatever she likes. */
export async function mallory(
  bootstrap: string,
): Promise<{ chord: ChordNode; transport: TcpTransport; stop(): Promise<void> }> {
  const transport = new TcpTransport({ host: "127.0.0.1", port: 0, puzzleBits: PUZZLE_BITS });
  const router = new RpcRouter();
  const addr = await transport.listen(router.handle);
  const chord = new ChordNode(
    { transport, clock: systemClock, router },
    { ...FAST, addr, key: transport.key.key, puzzleBits: PUZZLE_BITS },
  );
  // She stores honestly, so that honest clients whose mailboxes she owns are still served.
  const mailboxes = new MailboxService({
    ring: chord,
    transport,
    router,
    clock: systemClock,
    store: new MemoryEntryStore(),
  });
  await chord.join(bootstrap);
  chord.start();
  return {
    chord,
    transport,
    stop: async () => {
      mailboxes.stop();
      chord.stop();
      await transport.close();
    },
  };
}
