/**
 * Issue 7 item 3, the crash soak: 6 bin/wisp-node processes on fixed 127.0.0.1 ports, replicas 3,
 * TTL 4 s; senders store continuously through random nodes to recipients that poll through random
 * nodes and to recipients that never poll; one random node is SIGKILLed and started again every
 * few seconds. Afterwards every accepted message is delivered exactly once or NACKed exactly once.
 * Short form in `npm test`; WISP_FULL=1 (`npm run soak`) runs about 2 minutes of chaos.
 */
import { fromB64u, generateIdentity, toHex } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, eventually, type RunningNode, ringIsConsistent } from "../e2e/harness";
import { Ledger } from "./ledger";
import { freePorts, killAll, NodeSlot, sleep } from "./node-slots";
import {
  type ChaosEvent,
  type ReaderStats,
  type Recipient,
  runChaos,
  runReader,
  runSender,
  type SenderStats,
  type Stop,
} from "./soak-actors";

const FULL = process.env.WISP_FULL === "1";
const NODES = 6;
const TTL_MS = 4_000;
const REPAIR_MS = 1_000;
const STABILIZE_MS = 250;
const CHAOS_MS = FULL ? 120_000 : 20_000;
const KILL_EVERY_MS = 3_000;
/** No NACK before this long past expiresAt (the store's ackGraceMs: a retrieve's deadline, capped at the TTL). */
const ACK_GRACE_MS = TTL_MS;
/** How long a non-owner keeps an expired copy past that (the store's expiryGraceMs), in case it must NACK. */
const EXPIRY_GRACE_MS = 10_000;
/** A NACK is retried for up to a TTL after it is due; copies linger for the graces. */
const SETTLE_MAX_MS = 2 * TTL_MS + ACK_GRACE_MS + EXPIRY_GRACE_MS + 30_000;
/** Once all is accounted for, keep reading this long to catch a late duplicate or second NACK. */
const QUIET_MS = ACK_GRACE_MS + EXPIRY_GRACE_MS + 2 * REPAIR_MS;

const slots: NodeSlot[] = [];
const stops: Stop[] = [];
const newStop = (): Stop => {
  const stop = { stopped: false };
  stops.push(stop);
  return stop;
};

beforeAll(async () => {
  buildOnce();
  const ports = await freePorts(2 * NODES);
  const env = {
    WISP_TTL_MS: String(TTL_MS),
    WISP_REPLICAS: "3",
    WISP_REPAIR_MS: String(REPAIR_MS),
    WISP_STABILIZE_MS: String(STABILIZE_MS),
  };
  for (let i = 0; i < NODES; i++) slots.push(new NodeSlot(ports[2 * i], ports[2 * i + 1], env));
  await slots[0].start(null);
  await Promise.all(slots.slice(1).map((slot) => slot.start(slots[0].addr)));
  await eventually(() => ringIsConsistent(runningNodes()), "6 nodes to form one ring", 90_000);
}, 180_000);

afterAll(async () => {
  for (const stop of stops) stop.stopped = true;
  await killAll(slots);
});

function runningNodes(): RunningNode[] {
  return slots.flatMap((slot) => (slot.running && slot.node ? [slot.node] : []));
}

describe(`crash soak (${FULL ? "full" : "short"}: ${CHAOS_MS / 1000} s of SIGKILLs)`, () => {
  it(
    "every message accepted with 201 is delivered exactly once or NACKed exactly once",
    async () => {
      const ledger = new Ledger(ACK_GRACE_MS);
      const senders = Array.from({ length: 3 }, () => generateIdentity());
      const recipients: Recipient[] = [
        ...Array.from({ length: 4 }, () => ({ identity: generateIdentity(), silent: false })),
        ...Array.from({ length: 2 }, () => ({ identity: generateIdentity(), silent: true })),
      ];
      const senderStats: SenderStats = { attempts: 0, refused: 0, abandoned: 0 };
      const readerStats: ReaderStats = { polls: 0, failedPolls: 0 };
      const events: ChaosEvent[] = [];

      const sending = newStop();
      const chaos = newStop();
      const reading = newStop();
      const readers = [
        ...recipients.filter((r) => !r.silent).map((r) => r.identity),
        ...senders, // senders read their own mailboxes for NACKs
      ].map((who) => runReader(who, slots, ledger, readerStats, reading));
      const writers = senders.map((sender) =>
        runSender(sender, recipients, slots, ledger, senderStats, sending, 100),
      );
      const startedAt = Date.now();
      const chaosDone = runChaos(slots, chaos, KILL_EVERY_MS, events);

      await sleep(CHAOS_MS);
      sending.stopped = true;
      chaos.stopped = true;
      await Promise.all([...writers, chaosDone]);
      const stoppedAt = Date.now();
      await eventually(() => ringIsConsistent(runningNodes()), "the ring to heal after the chaos", 60_000);

      const settleUntil = Date.now() + SETTLE_MAX_MS;
      while (!ledger.settled() && Date.now() < settleUntil) await sleep(250);
      const settledMs = Date.now() - stoppedAt;
      await sleep(QUIET_MS);
      reading.stopped = true;
      await Promise.all(readers);

      const counts = ledger.counts();
      const report = {
        ...counts,
        kills: events.length,
        storeAttempts: senderStats.attempts,
        storesRefused: senderStats.refused,
        storesAbandoned: senderStats.abandoned,
        polls: readerStats.polls,
        failedPolls: readerStats.failedPolls,
        settledMs,
      };
      console.log(`crash soak (${FULL ? "full" : "short"}): ${JSON.stringify(report)}`);
      const failures = ledger.failures();
      const failed = Object.values(failures).some((ids) => ids.length > 0);
      if (failed) {
        const described = Object.values(failures)
          .flat()
          .map((id) => {
            const entry = ledger.accepted.get(id);
            const key = entry ? toHex(fromB64u(entry.to) ?? new Uint8Array()) : "";
            return { ...ledger.describe(id), key, acceptedAt: (entry?.acceptedAt ?? 0) - startedAt };
          });
        const ring = slots
          .map((slot) => ({ addr: slot.addr, id: slot.node?.id ?? "" }))
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        console.log(
          `crash soak failures: ${JSON.stringify(described)}\nchaos: ${JSON.stringify(events)}\nring: ${JSON.stringify(ring)}`,
        );
      }

      expect(events.length).toBeGreaterThanOrEqual(Math.floor(CHAOS_MS / (2 * KILL_EVERY_MS)));
      expect(counts.sent).toBeGreaterThan(50);
      expect(counts.nacked).toBeGreaterThan(0);
      expect(counts.delivered).toBeGreaterThan(0);
      expect({
        lost: counts.lost,
        deliveredAndNacked: counts.deliveredAndNacked,
        duplicates: counts.duplicates,
        duplicateNacks: counts.duplicateNacks,
        silentDelivered: counts.silentDelivered,
        misdirected: counts.misdirected,
      }).toEqual({
        lost: 0,
        deliveredAndNacked: 0,
        duplicates: 0,
        duplicateNacks: 0,
        silentDelivered: 0,
        misdirected: 0,
      });
    },
    CHAOS_MS + SETTLE_MAX_MS + QUIET_MS + 180_000,
  );
});
