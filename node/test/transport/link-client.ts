/**
 * Raw ends of authenticated links for tests: a socket that completes the real handshake with a key
 * of its own and then writes whatever bytes a test wants — sealed frames, torn frames, garbage —
 * as an outsider who only connects, or a member that lies, would.
 */
import net from "node:net";
import { FrameDecoder } from "@wisp/lib";
import { generateNodeKey, type NodeKey } from "../../src/identity/node-key";
import { type HandshakeSettings, initiate, type Link, respond } from "../../src/transport/handshake";

export interface RawLink {
  socket: net.Socket;
  link: Link;
  closed: Promise<void>;
  /** Seals payload as the next frame and writes it. */
  sendFrame(payload: Uint8Array): void;
  /** The plaintexts of the frames received so far. */
  received: Uint8Array[];
}

export function settingsFor(
  key: NodeKey = generateNodeKey(0),
  listenAddr: string | null = null,
): HandshakeSettings {
  return { key, listenAddr, puzzleBits: 0, timeoutMs: 5_000 };
}

/** Connects to addr and completes the handshake; rejects when it fails. */
export async function openLink(addr: string, settings: HandshakeSettings = settingsFor()): Promise<RawLink> {
  const port = Number(addr.slice(addr.lastIndexOf(":") + 1));
  const host = addr.slice(0, addr.lastIndexOf(":")).replace(/^\[(.*)\]$/, "$1");
  const socket = net.connect({ host, port });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("close", () => reject(new Error(`could not connect to ${addr}`)));
  });
  const link = await new Promise<Link>((resolve, reject) =>
    initiate(socket, addr, undefined, settings, (result) =>
      result.ok ? resolve(result.link) : reject(new Error(result.reason)),
    ),
  );
  return wrap(socket, link, closed);
}

/** A server whose every connection completes the handshake, then is handed to `onLink`. */
export async function linkServer(
  settingsOf: (port: number) => HandshakeSettings,
  onLink: (raw: RawLink) => void,
): Promise<{ server: net.Server; addr: string }> {
  let port = 0;
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    respond(socket, settingsOf(port), (result) => {
      if (!result.ok) socket.destroy();
      else onLink(wrap(socket, result.link, closed));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
  return { server, addr: `127.0.0.1:${port}` };
}

function wrap(socket: net.Socket, link: Link, closed: Promise<void>): RawLink {
  const received: Uint8Array[] = [];
  const decoder = new FrameDecoder(64 * 1024 * 1024);
  const onData = (chunk: Uint8Array) => {
    const result = decoder.push(chunk);
    if (!result.ok) return;
    for (const frame of result.frames) {
      const plain = link.receive.open(frame);
      if (plain) received.push(plain);
    }
  };
  socket.on("data", onData);
  if (link.rest.length > 0) onData(link.rest);
  return { socket, link, closed, received, sendFrame: (payload) => socket.write(link.send.seal(payload)) };
}
