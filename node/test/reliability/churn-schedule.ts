/**
 * Random churn schedules as fast-check values, so a failing schedule shrinks: fewer operations,
 * smaller indices, a quieter network. Node indices are taken modulo the live members at run time,
 * so every shrunk schedule still runs.
 */
import fc from "fast-check";

export type ChurnOp =
  /** A new node joins through the via-th live member. */
  | { op: "join"; via: number }
  /** The who-th live member hands its entries off and leaves. */
  | { op: "leave"; who: number }
  /** `run` consecutive live members, from the who-th on, vanish at once. */
  | { op: "crash"; who: number; run: number }
  /** A client stores one envelope for mailbox #mailbox through the via-th live member. */
  | { op: "store"; via: number; mailbox: number }
  /** From now until the next settle, messages are lost with probability loss and delayed. */
  | { op: "net"; loss: number; latencyMs: number }
  /** Extra stabilization rounds, node by node or every node at once. */
  | { op: "stabilize"; rounds: number; concurrent: boolean }
  /** fix_fingers on every node. */
  | { op: "fingers" }
  /** One repair round on every node, over the network as it is. */
  | { op: "repair" }
  /** A quiet network, stabilization until the ring is whole, repair rounds, and the replica check. */
  | { op: "settle" };

export interface ChurnCase {
  /** Live members before the first operation. */
  size: number;
  /** Seeds the testnet's choices and the network's losses. */
  seed: number;
  ops: ChurnOp[];
}

const index = fc.nat({ max: 63 });

const op: fc.Arbitrary<ChurnOp> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constant("store" as const), via: index, mailbox: fc.nat({ max: 15 }) }),
    weight: 4,
  },
  { arbitrary: fc.record({ op: fc.constant("join" as const), via: index }), weight: 3 },
  {
    arbitrary: fc.record({
      op: fc.constant("crash" as const),
      who: index,
      run: fc.integer({ min: 1, max: 3 }),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant("leave" as const), who: index }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant("net" as const),
      loss: fc.constantFrom(0, 0.02, 0.05, 0.1),
      latencyMs: fc.constantFrom(0, 0, 1, 2),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      op: fc.constant("stabilize" as const),
      rounds: fc.integer({ min: 1, max: 3 }),
      concurrent: fc.boolean(),
    }),
    weight: 2,
  },
  { arbitrary: fc.constant({ op: "fingers" as const }), weight: 1 },
  { arbitrary: fc.constant({ op: "repair" as const }), weight: 1 },
  { arbitrary: fc.constant({ op: "settle" as const }), weight: 2 },
);

export function churnCase(limits: {
  minSize: number;
  maxSize: number;
  maxOps: number;
}): fc.Arbitrary<ChurnCase> {
  return fc.record({
    size: fc.integer({ min: limits.minSize, max: limits.maxSize }),
    seed: fc.nat({ max: 2 ** 31 - 1 }),
    ops: fc.array(op, { minLength: Math.min(10, limits.maxOps), maxLength: limits.maxOps, size: "max" }),
  });
}

/** One line per operation, for the failure report. */
export function describeOp(o: ChurnOp): string {
  switch (o.op) {
    case "join":
      return `join via #${o.via}`;
    case "leave":
      return `leave #${o.who}`;
    case "crash":
      return `crash ${o.run} from #${o.who}`;
    case "store":
      return `store mailbox ${o.mailbox} via #${o.via}`;
    case "net":
      return `net loss ${o.loss} latency ${o.latencyMs} ms`;
    case "stabilize":
      return `stabilize ${o.rounds}${o.concurrent ? " concurrently" : ""}`;
    case "fingers":
    case "repair":
    case "settle":
      return o.op;
  }
}
