/**
 * Random client-and-churn schedules for the delivery property (issue 16): stores, retrieves and
 * acknowledgements through random members, interleaved with joins, leaves, crashes, message loss,
 * delay and the passing of time (expiry). Indices are taken modulo the live members at run time.
 */
import fc from "fast-check";

export type DeliveryOp =
  /** A new node joins through the via-th member; `settled`: its neighbours stabilize at once. */
  | { op: "join"; via: number; settled: boolean }
  | { op: "leave"; who: number }
  | { op: "crash"; who: number }
  /** A sender stores one message for mailbox #mailbox through the via-th member. */
  | { op: "store"; via: number; mailbox: number; sender: number }
  /** The recipient of mailbox #mailbox retrieves through the via-th member and acknowledges what it got. */
  | { op: "retrieve"; via: number; mailbox: number; ack: boolean }
  /** From now until the next settle, messages are lost with probability loss and delayed. */
  | { op: "net"; loss: number; latencyMs: number }
  /** One stabilization round on every member. */
  | { op: "stabilize" }
  /** The clock moves on by ms; every member runs its expiry task. */
  | { op: "time"; ms: number }
  /** A quiet network, stabilization until the ring is whole, repair rounds. */
  | { op: "settle" };

export interface DeliveryCase {
  size: number;
  seed: number;
  ops: DeliveryOp[];
}

export const MAILBOXES = 6;
export const SENDERS = 3;

const index = fc.nat({ max: 63 });

const op: fc.Arbitrary<DeliveryOp> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant("store" as const),
      via: index,
      mailbox: fc.nat({ max: MAILBOXES - 1 }),
      sender: fc.nat({ max: SENDERS - 1 }),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      op: fc.constant("retrieve" as const),
      via: index,
      mailbox: fc.nat({ max: MAILBOXES - 1 }),
      ack: fc.boolean(),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ op: fc.constant("join" as const), via: index, settled: fc.boolean() }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant("crash" as const), who: index }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("leave" as const), who: index }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant("net" as const),
      loss: fc.constantFrom(0.02, 0.05),
      latencyMs: fc.constantFrom(0, 1, 2),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ op: "stabilize" as const }), weight: 2 },
  {
    arbitrary: fc.record({ op: fc.constant("time" as const), ms: fc.integer({ min: 200, max: 6_000 }) }),
    weight: 3,
  },
  { arbitrary: fc.constant({ op: "settle" as const }), weight: 1 },
);

export function deliveryCase(limits: {
  minSize: number;
  maxSize: number;
  maxOps: number;
}): fc.Arbitrary<DeliveryCase> {
  return fc.record({
    size: fc.integer({ min: limits.minSize, max: limits.maxSize }),
    seed: fc.nat({ max: 2 ** 31 - 1 }),
    ops: fc.array(op, { minLength: Math.min(10, limits.maxOps), maxLength: limits.maxOps, size: "max" }),
  });
}

export function describeDeliveryOp(o: DeliveryOp): string {
  switch (o.op) {
    case "join":
      return `join via #${o.via}${o.settled ? ", neighbours stabilized" : ""}`;
    case "leave":
      return `leave #${o.who}`;
    case "crash":
      return `crash #${o.who}`;
    case "store":
      return `store mailbox ${o.mailbox} from sender ${o.sender} via #${o.via}`;
    case "retrieve":
      return `retrieve mailbox ${o.mailbox} via #${o.via}${o.ack ? ", then ack" : ""}`;
    case "net":
      return `net loss ${o.loss} latency ${o.latencyMs} ms`;
    case "time":
      return `time +${o.ms} ms`;
    case "stabilize":
    case "settle":
      return o.op;
  }
}
