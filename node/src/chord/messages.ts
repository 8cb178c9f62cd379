/**
 * Chord's node-to-node messages (docs/node-protocol.md, "Chord messages"): one union of requests
 * and one of answers, each with its encoder and its decoder. Decoding is validation: every message
 * and answer from the network is hostile, and a malformed one yields a string reason, never an
 * exception.
 */
import { idFromHex, idToHex, type RingId } from "@wisp/lib";
import type { WireMessage } from "../transport/transport";
import { encodeRef, encodeRefs, type RefVerifier } from "./refs";
import type { NodeRef } from "./ring";

export { encodeRef, encodeRefs, type WireRef } from "./refs";

/** No list in a Chord message may be longer; bounds the work a peer can cause. */
export const MAX_LIST_LENGTH = 64;

export type ChordRequest =
  | { t: "chord.ping" }
  | { t: "chord.state" }
  | { t: "chord.step"; key: RingId }
  | { t: "chord.notify"; node: NodeRef }
  | { t: "chord.leave"; node: NodeRef; predecessor: NodeRef | null; successors: NodeRef[] }
  | { t: "chord.join"; node: NodeRef }
  | { t: "chord.changed"; node: NodeRef };

export type StepAnswer = { done: true; successors: NodeRef[] } | { done: false; next: NodeRef[] };

export interface StateAnswer {
  predecessor: NodeRef | null;
  successors: NodeRef[];
}

/**
 * The answer to chord.join. `accepted`: the asked node took the joiner as its predecessor and
 * handed it its key range first; `predecessor` is then the joiner's predecessor, else the asked
 * node's own predecessor, which lies between the joiner and it (the joiner asks that one next).
 */
export interface JoinAnswer {
  accepted: boolean;
  predecessor: NodeRef | null;
  successors: NodeRef[];
  /** The asked node's distinct fingers: a joiner's first fingers. */
  fingers: NodeRef[];
}

export type ChordAnswer =
  /** A pong names the node that answers, so a joining node learns its bootstrap's key. */
  | { t: "chord.pong"; node: NodeRef }
  | { t: "chord.ok" }
  | ({ t: "chord.state.ok" } & StateAnswer)
  | ({ t: "chord.step.ok" } & StepAnswer)
  | ({ t: "chord.join.ok" } & JoinAnswer);

export const CHORD_TAGS: readonly ChordRequest["t"][] = [
  "chord.ping",
  "chord.state",
  "chord.step",
  "chord.notify",
  "chord.leave",
  "chord.join",
  "chord.changed",
];

function parseRefList(value: unknown, field: string, refs: RefVerifier): NodeRef[] | string {
  if (!Array.isArray(value)) return `"${field}" expected an array`;
  if (value.length > MAX_LIST_LENGTH)
    return `"${field}" expected at most ${MAX_LIST_LENGTH} entries, got ${value.length}`;
  const list: NodeRef[] = [];
  for (let i = 0; i < value.length; i++) {
    const ref = refs.parse(value[i], `${field}[${i}]`);
    if (typeof ref === "string") return ref;
    list.push(ref);
  }
  return list;
}

function parseOptionalRef(value: unknown, field: string, refs: RefVerifier): NodeRef | null | string {
  if (value === null) return null;
  return refs.parse(value, field);
}

export function encodeRequest(request: ChordRequest): WireMessage {
  switch (request.t) {
    case "chord.ping":
    case "chord.state":
      return { t: request.t };
    case "chord.step":
      return { t: "chord.step", key: idToHex(request.key) };
    case "chord.notify":
    case "chord.join":
    case "chord.changed":
      return { t: request.t, node: encodeRef(request.node) };
    case "chord.leave":
      return {
        t: "chord.leave",
        node: encodeRef(request.node),
        predecessor: request.predecessor ? encodeRef(request.predecessor) : null,
        successors: encodeRefs(request.successors),
      };
  }
}

export function encodeAnswer(answer: ChordAnswer): WireMessage {
  switch (answer.t) {
    case "chord.pong":
      return { t: "chord.pong", node: encodeRef(answer.node) };
    case "chord.ok":
      return { t: answer.t };
    case "chord.state.ok":
      return {
        t: "chord.state.ok",
        predecessor: answer.predecessor ? encodeRef(answer.predecessor) : null,
        successors: encodeRefs(answer.successors),
      };
    case "chord.step.ok":
      if (answer.done) return { t: "chord.step.ok", done: true, successors: encodeRefs(answer.successors) };
      return { t: "chord.step.ok", done: false, next: encodeRefs(answer.next) };
    case "chord.join.ok":
      return {
        t: "chord.join.ok",
        accepted: answer.accepted,
        predecessor: answer.predecessor ? encodeRef(answer.predecessor) : null,
        successors: encodeRefs(answer.successors),
        fingers: encodeRefs(answer.fingers),
      };
  }
}

export function decodeRequest(message: WireMessage, refs: RefVerifier): ChordRequest | string {
  switch (message.t) {
    case "chord.ping":
      return { t: "chord.ping" };
    case "chord.state":
      return { t: "chord.state" };
    case "chord.step": {
      const key = idFromHex(message.key);
      if (key === null) return `"key" expected 64 lowercase hex characters`;
      return { t: "chord.step", key };
    }
    case "chord.notify":
    case "chord.join":
    case "chord.changed": {
      const node = refs.parse(message.node, "node");
      if (typeof node === "string") return node;
      return { t: message.t, node };
    }
    case "chord.leave": {
      const node = refs.parse(message.node, "node");
      if (typeof node === "string") return node;
      const predecessor = parseOptionalRef(message.predecessor, "predecessor", refs);
      if (typeof predecessor === "string") return predecessor;
      const successors = parseRefList(message.successors, "successors", refs);
      if (typeof successors === "string") return successors;
      return { t: "chord.leave", node, predecessor, successors };
    }
    default:
      return `not a chord message: "${String(message.t).slice(0, 40)}"`;
  }
}

export function decodeStepAnswer(answer: WireMessage, refs: RefVerifier): StepAnswer | string {
  if (answer.t !== "chord.step.ok") return `expected a chord.step.ok answer`;
  if (answer.done === true) {
    const successors = parseRefList(answer.successors, "successors", refs);
    if (typeof successors === "string") return successors;
    if (successors.length === 0) return `"successors" must not be empty when done`;
    return { done: true, successors };
  }
  if (answer.done !== false) return `"done" expected a boolean`;
  const next = parseRefList(answer.next, "next", refs);
  if (typeof next === "string") return next;
  return { done: false, next };
}

export function decodeStateAnswer(answer: WireMessage, refs: RefVerifier): StateAnswer | string {
  if (answer.t !== "chord.state.ok") return `expected a chord.state.ok answer`;
  const predecessor = parseOptionalRef(answer.predecessor, "predecessor", refs);
  if (typeof predecessor === "string") return predecessor;
  const successors = parseRefList(answer.successors, "successors", refs);
  if (typeof successors === "string") return successors;
  return { predecessor, successors };
}

/** The pong of a node introducing itself: its ref, checked like any other. */
export function decodePong(answer: WireMessage, refs: RefVerifier): NodeRef | string {
  if (answer.t !== "chord.pong") return `expected a chord.pong answer`;
  return refs.parse(answer.node, "node");
}

export function decodeJoinAnswer(answer: WireMessage, refs: RefVerifier): JoinAnswer | string {
  if (answer.t !== "chord.join.ok") return `expected a chord.join.ok answer`;
  if (typeof answer.accepted !== "boolean") return `"accepted" expected a boolean`;
  const predecessor = parseOptionalRef(answer.predecessor, "predecessor", refs);
  if (typeof predecessor === "string") return predecessor;
  const successors = parseRefList(answer.successors, "successors", refs);
  if (typeof successors === "string") return successors;
  const fingers = parseRefList(answer.fingers, "fingers", refs);
  if (typeof fingers === "string") return fingers;
  return { accepted: answer.accepted, predecessor, successors, fingers };
}
