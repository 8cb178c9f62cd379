/**
 * Answers Chord's requests from other nodes: one exhaustive switch over the parsed message.
 * Malformed input, and any request to a node that is not (or no longer) a ring member, is
 * rejected with RpcReject; the transport sends the reason back.
 */
import { idToHex, type RingId } from "@wisp/lib";
import { RpcReject, type RpcRouter } from "../rpc/router";
import type { WireMessage } from "../transport/transport";
import {
  CHORD_TAGS,
  type ChordRequest,
  encodeRef,
  encodeRefs,
  parseRequest,
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
}

export function registerChordHandlers(router: RpcRouter, host: ChordHandlerHost): void {
  for (const tag of CHORD_TAGS) router.on(tag, (message) => handleChordMessage(host, message));
}

export function handleChordMessage(host: ChordHandlerHost, message: WireMessage): WireMessage {
  const request = parseRequest(message);
  if (typeof request === "string") throw new RpcReject(request);
  if (!host.isJoined()) throw new RpcReject("not a ring member");
  return answer(host, request);
}

function answer(host: ChordHandlerHost, request: ChordRequest): WireMessage {
  switch (request.t) {
    case "chord.ping":
      return { t: "chord.pong" };
    case "chord.state": {
      const state = host.answerState();
      return {
        t: "chord.state.ok",
        predecessor: state.predecessor ? encodeRef(state.predecessor) : null,
        successors: encodeRefs(state.successors),
      };
    }
    case "chord.step": {
      const step = host.answerStep(request.key);
      if (step.done) return { t: "chord.step.ok", done: true, successors: encodeRefs(step.successors) };
      return { t: "chord.step.ok", done: false, next: encodeRefs(step.next) };
    }
    case "chord.notify":
      host.acceptNotify(request.node);
      return { t: "chord.ok" };
    case "chord.leave":
      host.acceptLeave(request.node, request.predecessor, request.successors);
      return { t: "chord.ok" };
    default:
      return unreachable(request);
  }
}

function unreachable(request: never): never {
  throw new RpcReject(`unhandled chord message ${JSON.stringify(request)}`);
}

export function stepRequest(key: RingId): WireMessage {
  return { t: "chord.step", key: idToHex(key) };
}
