/**
 * Envelopes this node validated (lib's validateEnvelope, at the API or from a peer), frozen, with
 * the size of their JSON. The service, the quota and the memory store ask for that size, or
 * whether the envelope's JSON needs escapes, again and again; for a checked envelope they get the
 * answer without scanning its ct once more (docs/performance.md). The map holds no state of any
 * node: keyed by frozen objects, it answers what lib would compute for each of them.
 */
import { type CheckedEnvelope, type Envelope, envelopeSize, isPlainEnvelope } from "@wisp/lib";

const checkedSizes = new WeakMap<Envelope, number>();

/** The validated envelope, frozen, its size remembered. */
export function checkedEnvelope(checked: CheckedEnvelope): Envelope {
  const envelope = Object.freeze(checked.envelope);
  checkedSizes.set(envelope, checked.jsonBytes);
  return envelope;
}

/** lib's envelopeSize. */
export function envelopeJsonSize(envelope: Envelope): number {
  return checkedSizes.get(envelope) ?? envelopeSize(envelope);
}

/** lib's isPlainEnvelope: a validated envelope is one. */
export function needsNoEscapes(envelope: Envelope): boolean {
  return checkedSizes.has(envelope) || isPlainEnvelope(envelope);
}
