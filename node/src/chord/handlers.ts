/**
 * Answers Chord's requests from other nodes: one exhaustive switch over the decoded message.
 * Malformed input, and any request to a node that is not (or no longer) a ring member, is
 * rejected with RpcReject; the transport sends the reason back.
 */
import type { RingId } from "@wisp/lib";
import { RpcReject, type RpcRouter } from "../rpc/router";
import type { WireMessage } from "../transport/transport";
import {
  CHORD_TAGS,
  type ChordAnswer,
  type ChordRequest,
  decodeRequest,
  encodeAnswer,
  type JoinAnswer,
  type StateAnswer,
  type StepAnswer,
} from "./messages";
import type { NodeRef } from "./ring";

export interface ChordHandlerHost {
  isJoined(): boolean;
  answerStep(key: RingId): StepAnswer;
  answerState(): StateAnswer;
  acceptNotify(node: NodeRef): void;
  acceptLeave(leaving: NodeRef, predecessor: NodeRef | null, successors: NodeRef[]): void;
  /** Takes node as predecessor if it lies in (predecessor, self), after handing it its key range. */
  acceptJoin(node: NodeRef): Promise<JoinAnswer>;
  /** node's successor list changed: if it is our successor, we copy its list soon. */
  acceptChanged(node: NodeRef): void;
}

export function registerChordHandlers(router: RpcRouter, host: ChordHandlerHost): void {
  router.on(CHORD_TAGS, (message) => handleChordMessage(host, message));
}

async function handleChordMessage(host: ChordHandlerHost, message: WireMessage): Promise<WireMessage> {
  const request = decodeRequest(message);
  if (typeof request === "string") throw new RpcReject(request);
  if (!host.isJoined()) throw new RpcReject("not a ring member");
  return encodeAnswer(await answer(host, request));
}

function answer(host: ChordHandlerHost, request: ChordRequest): ChordAnswer | Promise<ChordAnswer> {
  switch (request.t) {
    case "chord.ping":
      return { t: "chord.pong" };
    case "chord.state":
      return { t: "chord.state.ok", ...host.answerState() };
    case "chord.step":
      return { t: "chord.step.ok", ...host.answerStep(request.key) };
    case "chord.notify":
      host.acceptNotify(request.node);
      return { t: "chord.ok" };
    case "chord.leave":
      host.acceptLeave(request.node, request.predecessor, request.successors);
      return { t: "chord.ok" };
    case "chord.changed":
      host.acceptChanged(request.node);
      return { t: "chord.ok" };
    case "chord.join":
      return host.acceptJoin(request.node).then((join) => ({ t: "chord.join.ok", ...join }));
  }
}
