/**
 * Answers Chord's requests from other nodes: one exhaustive switch over the decoded message.
 * Malformed input, and any request to a node that is not (or no longer) a ring member, is
 * rejected with RpcReject; the transport sends the reason back. Requests about a node (notify,
 * leave) go to the host with the sender's proven identity, which it checks.
 */
import type { RingId } from "@wisp/lib";
import { RpcReject, type RpcRouter } from "../rpc/router";
import type { PeerIdentity, WireMessage } from "../transport/transport";
import {
  CHORD_TAGS,
  type ChordAnswer,
  type ChordRequest,
  decodeRequest,
  encodeAnswer,
  type StateAnswer,
  type StepAnswer,
} from "./messages";
import type { PeerNews } from "./peer-news";
import type { RefVerifier } from "./refs";
import type { NodeRef } from "./ring";

export interface ChordHandlerHost {
  readonly self: NodeRef;
  readonly refs: RefVerifier;
  isJoined(): boolean;
  answerStep(key: RingId): StepAnswer;
  answerState(): StateAnswer;
  /** News about the ring, each believed only from the node it names. */
  readonly news: PeerNews;
}

export function registerChordHandlers(router: RpcRouter, host: ChordHandlerHost): void {
  router.on(CHORD_TAGS, (message, peer) => handleChordMessage(host, message, peer));
}

async function handleChordMessage(
  host: ChordHandlerHost,
  message: WireMessage,
  peer: PeerIdentity,
): Promise<WireMessage> {
  const request = decodeRequest(message, host.refs);
  if (typeof request === "string") throw new RpcReject(request);
  if (!host.isJoined()) throw new RpcReject("not a ring member");
  return encodeAnswer(await answer(host, request, peer));
}

async function answer(
  host: ChordHandlerHost,
  request: ChordRequest,
  peer: PeerIdentity,
): Promise<ChordAnswer> {
  switch (request.t) {
    case "chord.ping":
      return { t: "chord.pong", node: host.self };
    case "chord.state":
      return { t: "chord.state.ok", ...host.answerState() };
    case "chord.step":
      return { t: "chord.step.ok", ...host.answerStep(request.key) };
    case "chord.notify":
      await host.news.acceptNotify(request.node, peer);
      return { t: "chord.ok" };
    case "chord.leave":
      await host.news.acceptLeave(request.node, request.predecessor, request.successors, peer);
      return { t: "chord.ok" };
    case "chord.changed":
      host.news.acceptChanged(request.node, peer);
      return { t: "chord.ok" };
    case "chord.join":
      return { t: "chord.join.ok", ...(await host.news.acceptJoin(request.node, peer)) };
  }
}
