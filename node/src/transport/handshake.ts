/**
 * The start of every node-to-node connection: a Noise XX handshake (Noise_XX_Ed25519_ChaChaPoly_BLAKE2b,
 * holepunch's noise-handshake with noise-curve-ed; docs/security.md, "Links"), so each side proves
 * the Ed25519 key its ring id is bound to. Each handshake message is a u16 big-endian length and
 * the Noise message; the second and third carry a hello, `{"v":1,"addr":"host:port"|null}`, the
 * address its sender listens at. The handshake has a deadline and a size limit, and anything that
 * does not verify ends it; the caller then closes the socket without a word.
 */
import type net from "node:net";
import { fromUtf8, toB64u } from "@wisp/lib";
import curve from "noise-curve-ed";
import NoiseState from "noise-handshake";
import { parseNodeAddr, sameIp, socketIp } from "../identity/addr";
import { nodeIdOf, solvesPuzzle } from "../identity/node-id";
import type { NodeKey } from "../identity/node-key";
import { FrameCipher } from "./frame-cipher";
import type { PeerIdentity } from "./transport";

const PROLOGUE = Buffer.from("wisp/link/v1");
/** Noise messages of this handshake are 32, ~150 and ~140 bytes; anything longer is not one. */
export const MAX_HANDSHAKE_MESSAGE = 512;
const MAX_HELLO_BYTES = 200;

export interface HandshakeSettings {
  key: NodeKey;
  /** The address this node listens at, told to the peer; null when it does not listen. */
  listenAddr: string | null;
  puzzleBits: number;
  timeoutMs: number;
}

export interface Link {
  peer: PeerIdentity;
  send: FrameCipher;
  receive: FrameCipher;
  /** Bytes that arrived behind the last handshake message: the first frames. */
  rest: Buffer;
}

export type HandshakeResult = { ok: true; link: Link } | { ok: false; reason: string };

/** Our side of a connection we opened to `dialled`; `expectedKey` (b64u) is the key a ref promised there. */
export function initiate(
  socket: net.Socket,
  dialled: string,
  expectedKey: string | undefined,
  settings: HandshakeSettings,
  done: (result: HandshakeResult) => void,
): void {
  const target = parseNodeAddr(dialled);
  if (!target) {
    done({ ok: false, reason: `"${dialled.slice(0, 80)}" is not a canonical node address` });
    return;
  }
  const noise = new NoiseState("XX", true, keyPair(settings.key), { curve });
  noise.initialise(PROLOGUE);
  let step = 0;
  run(socket, settings.timeoutMs, done, (message) => {
    if (step++ !== 0) throw new HandshakeFailure("the responder sent more than its one message");
    const hello = parseHello(noise.recv(message));
    const remoteKey = verifiedKey(noise.rs, settings.puzzleBits);
    if (hello.addr !== dialled)
      throw new HandshakeFailure(`the node at ${dialled} says it listens at ${hello.addr}`);
    if (expectedKey && remoteKey !== expectedKey)
      throw new HandshakeFailure(`${dialled} answered with another key`);
    writeMessage(socket, noise.send(helloBytes(settings.listenAddr)));
    return link(noise, { key: remoteKey, id: nodeIdOf(noise.rs as Buffer, target.ip), addr: dialled });
  });
  writeMessage(socket, noise.send());
}

/** Our side of a connection a peer opened to us. */
export function respond(
  socket: net.Socket,
  settings: HandshakeSettings,
  done: (result: HandshakeResult) => void,
): void {
  const ip = socketIp(socket.remoteAddress);
  if (!ip) {
    done({ ok: false, reason: "the peer has no IP address" });
    return;
  }
  const noise = new NoiseState("XX", false, keyPair(settings.key), { curve });
  noise.initialise(PROLOGUE);
  let step = 0;
  run(socket, settings.timeoutMs, done, (message) => {
    if (step++ === 0) {
      if (noise.recv(message).length !== 0)
        throw new HandshakeFailure("the first message carries no payload");
      writeMessage(socket, noise.send(helloBytes(settings.listenAddr)));
      return null;
    }
    const hello = parseHello(noise.recv(message));
    const remoteKey = verifiedKey(noise.rs, settings.puzzleBits);
    let addr: string | null = null;
    if (hello.addr !== null) {
      const claimed = parseNodeAddr(hello.addr);
      // The port is the peer's word until someone connects to it; the IP is the socket's.
      if (!claimed || !sameIp(claimed.ip, ip))
        throw new HandshakeFailure(`the peer cannot listen at ${hello.addr}`);
      addr = hello.addr;
    }
    return link(noise, { key: remoteKey, id: nodeIdOf(noise.rs as Buffer, ip), addr });
  });
}

class HandshakeFailure extends Error {}

function keyPair(key: NodeKey) {
  return { publicKey: Buffer.from(key.publicKey), secretKey: Buffer.from(key.secretKey) };
}

function verifiedKey(remoteStatic: Buffer | null, puzzleBits: number): string {
  if (remoteStatic?.length !== 32) throw new HandshakeFailure("no remote static key");
  if (!solvesPuzzle(remoteStatic, puzzleBits))
    throw new HandshakeFailure("the peer's key does not solve the puzzle");
  return toB64u(remoteStatic);
}

function link(noise: NoiseState, peer: PeerIdentity): Omit<Link, "rest"> {
  if (!noise.complete || !noise.tx || !noise.rx) throw new HandshakeFailure("the handshake did not complete");
  // Noise's Split (§5.2): the initiator sends with the first key; noise-handshake calls ours tx.
  return { peer, send: new FrameCipher(noise.tx), receive: new FrameCipher(noise.rx) };
}

function helloBytes(addr: string | null): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, addr }));
}

function parseHello(payload: Buffer): { addr: string | null } {
  if (payload.length > MAX_HELLO_BYTES) throw new HandshakeFailure("hello too long");
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(payload) ?? "");
  } catch {
    throw new HandshakeFailure("hello is not JSON");
  }
  if (typeof value !== "object" || value === null) throw new HandshakeFailure("hello is not an object");
  const { v, addr } = value as Record<string, unknown>;
  if (v !== 1) throw new HandshakeFailure("unknown hello version");
  if (addr !== null && typeof addr !== "string")
    throw new HandshakeFailure('hello "addr" expected a string or null');
  return { addr };
}

function writeMessage(socket: net.Socket, message: Buffer): void {
  const framed = Buffer.allocUnsafe(2 + message.length);
  framed.writeUInt16BE(message.length, 0);
  message.copy(framed, 2);
  socket.write(framed);
}

/**
 * Feeds the handshake messages arriving on socket to `step` until it returns the link, under the
 * deadline. Throws inside `step` (a bad message, a Noise decryption failure) end it.
 */
function run(
  socket: net.Socket,
  timeoutMs: number,
  done: (result: HandshakeResult) => void,
  step: (message: Buffer) => Omit<Link, "rest"> | null,
): void {
  let buffered: Buffer = Buffer.alloc(0);
  let finished = false;
  const finish = (result: HandshakeResult) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.off("data", onData);
    socket.off("close", onClose);
    done(result);
  };
  const timer = setTimeout(
    () => finish({ ok: false, reason: `no handshake within ${timeoutMs} ms` }),
    timeoutMs,
  );
  const onClose = () => finish({ ok: false, reason: "the connection closed during the handshake" });
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    try {
      while (!finished && buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (length > MAX_HANDSHAKE_MESSAGE)
          throw new HandshakeFailure(`handshake message of ${length} bytes`);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const result = step(message);
        if (result) finish({ ok: true, link: { ...result, rest: buffered } });
      }
      if (!finished && buffered.length > 2 + MAX_HANDSHAKE_MESSAGE)
        throw new HandshakeFailure("handshake too long");
    } catch (error) {
      finish({
        ok: false,
        reason: error instanceof HandshakeFailure ? error.message : "the handshake did not verify",
      });
    }
  };
  socket.on("data", onData);
  socket.on("close", onClose);
}
