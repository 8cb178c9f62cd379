/**
 * Links carry requests both ways: a node answers over the link a peer opened to it, where the
 * caller allows it (anyLink) and the link proved the key the caller expects at that address.
 */
import { utf8 } from "@wisp/lib";
import { afterEach, describe, expect, it } from "vitest";
import { TcpTransport } from "../../src/transport/tcp";
import type { PeerIdentity, WireMessage } from "../../src/transport/transport";
import { linkServer, openLink, type RawLink, settingsFor } from "./link-client";
import { expectCode } from "./transport.suite";

const HOST = "127.0.0.1";
const LONG = 20_000;

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!condition()) throw new Error(`${what} did not happen within 10 s`);
}

describe("TcpTransport links both ways", () => {
  const transports: TcpTransport[] = [];
  const cleanups: (() => void)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    await Promise.all(transports.splice(0).map((t) => t.close()));
  });

  /** A listening node whose handler answers with its name and who asked. */
  const node = async (name: string) => {
    const transport = new TcpTransport({ host: HOST, port: 0, puzzleBits: 0 });
    transports.push(transport);
    const seen: PeerIdentity[] = [];
    const addr = await transport.listen(async (request, peer) => {
      seen.push(peer);
      return { t: "hello", from: name, got: request.t };
    });
    return { transport, addr, key: transport.key.key, seen };
  };

  it("answers a peer's request over the link that peer opened, with no second connection", async () => {
    const a = await node("a");
    const b = await node("b");
    expect(await b.transport.request(a.addr, { t: "first" }, { timeoutMs: LONG, key: a.key })).toEqual({
      t: "hello",
      from: "a",
      got: "first",
    });
    const back = await a.transport.request(
      b.addr,
      { t: "back" },
      { timeoutMs: LONG, key: b.key, anyLink: true },
    );
    expect(back).toEqual({ t: "hello", from: "b", got: "back" });
    expect(a.transport.connectionCounts()).toEqual({ inbound: 1, outbound: 0 });
    expect(b.transport.connectionCounts()).toEqual({ inbound: 0, outbound: 1 });
    expect(a.transport.requestsOverInbound).toBe(1);
    // Each side's handler sees the other as its link proved it: a's key, at the address b dialled.
    expect(a.seen.map((peer) => [peer.key, peer.addr])).toEqual([[b.key, b.addr]]);
    expect(b.seen.map((peer) => [peer.key, peer.addr])).toEqual([[a.key, a.addr]]);
  });

  it("dials its own connection unless the caller allows any link and names the key the link proved", async () => {
    const a = await node("a");
    const b = await node("b");
    await b.transport.request(a.addr, { t: "first" }, { timeoutMs: LONG, key: a.key });
    await a.transport.request(b.addr, { t: "no key" }, { timeoutMs: LONG, anyLink: true });
    expect(a.transport.connectionCounts().outbound).toBe(1);
    expect(a.transport.requestsOverInbound).toBe(0);
    const c = await node("c");
    await c.transport.request(a.addr, { t: "first" }, { timeoutMs: LONG, key: a.key });
    await a.transport.request(c.addr, { t: "must listen" }, { timeoutMs: LONG, key: c.key });
    expect(a.transport.connectionCounts().outbound).toBe(2);
    expect(a.transport.requestsOverInbound).toBe(0);
  });

  it("never sends a node's requests over a link that names its address but proved another key", async () => {
    const a = await node("a");
    const victim = await node("victim");
    // A member on the victim's IP claims the victim's address with a key of its own.
    const liar = await openLink(a.addr, settingsFor(undefined, victim.addr));
    cleanups.push(() => liar.socket.destroy());
    liar.sendFrame(utf8('{"i":1,"q":{"t":"chord.ping"}}'));
    await until(() => liar.received.length > 0, "an answer to the liar");
    const answer = await a.transport.request(
      victim.addr,
      { t: "for the victim" },
      { timeoutMs: LONG, key: victim.key, anyLink: true },
    );
    expect(answer).toEqual({ t: "hello", from: "victim", got: "for the victim" });
    expect(liar.received).toHaveLength(1);
    expect(a.transport.requestsOverInbound).toBe(0);
    // Asked for the liar's own key at that address, the dialled node proves the victim's instead.
    await expectCode(
      a.transport.request(victim.addr, { t: "x" }, { timeoutMs: LONG, key: liar.link.peer.key }),
      "wrong_key",
    );
  });

  it("sends a request again over its own connection when the borrowed link closes before the answer", async () => {
    const a = await node("a");
    const b = await node("b");
    // A link that proves b's key and names b's address, but drops whatever request reaches it.
    const dropping = await openLink(a.addr, settingsFor(b.transport.key, b.addr));
    dropping.sendFrame(utf8('{"i":1,"q":{"t":"chord.ping"}}'));
    await until(() => dropping.received.length > 0, "a's answer over the link");
    const answered = a.transport.request(
      b.addr,
      { t: "retried" },
      { timeoutMs: LONG, key: b.key, anyLink: true },
    );
    await until(() => dropping.received.length > 1, "the request over the borrowed link");
    const request = JSON.parse(new TextDecoder().decode(dropping.received[1])) as { q: WireMessage };
    expect(request.q).toEqual({ t: "retried" });
    dropping.socket.destroy();
    expect(await answered).toEqual({ t: "hello", from: "b", got: "retried" });
    expect(a.transport.connectionCounts().outbound).toBe(1);
  });

  it("answers a request over a link it dialled, and with an error when it serves nothing", async () => {
    const key = settingsFor().key;
    const links: RawLink[] = [];
    const { server, addr } = await linkServer(
      (port) => settingsFor(key, `${HOST}:${port}`),
      (raw) => {
        links.push(raw);
        raw.sendFrame(utf8('{"i":7,"q":{"t":"from the dialled"}}'));
      },
    );
    cleanups.push(() => server.close());
    const listening = await node("listening");
    const silent = new TcpTransport({ host: HOST, port: 0, puzzleBits: 0 });
    transports.push(silent);
    for (const dialler of [listening.transport, silent]) {
      void dialler.request(addr, { t: "never answered" }, { timeoutMs: 200 }).catch(() => undefined);
    }
    const answerIn = (link: RawLink) =>
      link.received
        .map((frame) => JSON.parse(new TextDecoder().decode(frame)))
        .find((frame) => frame.i === 7 && !("q" in frame));
    await until(() => links.length === 2 && links.every((l) => answerIn(l) !== undefined), "both answers");
    const answers = links.map(answerIn);
    expect(answers).toContainEqual({ i: 7, r: { t: "hello", from: "listening", got: "from the dialled" } });
    expect(answers).toContainEqual({ i: 7, e: "this node serves no requests" });
    expect(listening.seen.map((peer) => [peer.key, peer.addr])).toEqual([[key.key, addr]]);
    for (const link of links) link.socket.destroy();
  });
});
