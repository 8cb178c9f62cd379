import { describe, expect, it } from "vitest";
import { type Accepted, Ledger } from "./ledger";

const accepted = (id: string, silent = false): Accepted => ({
  id,
  silent,
  expiresAt: 10_000,
  status: 201,
  acceptedAt: 0,
  via: "127.0.0.1:1",
  to: "bob",
  nackTo: "alice",
});
const GRACE = 4_000;
const nack = (id: string) => ({ id, to: "bob", expiredAt: 10_000 });

describe("the soak's ledger", () => {
  it("counts each accepted id once: delivered, NACKed, or lost", () => {
    const ledger = new Ledger(GRACE);
    for (const id of ["d", "n", "l"]) ledger.accept(accepted(id));
    ledger.accept({ ...accepted("d"), status: 200 });
    ledger.sawMessage("bob", { id: "d", to: "bob" });
    ledger.sawNack("alice", nack("n"));
    expect(ledger.settled()).toBe(false);
    expect(ledger.counts()).toMatchObject({ sent: 3, delivered: 1, nacked: 1, lost: 1, misdirected: 0 });
    expect(ledger.failures().lost).toEqual(["l"]);
  });

  it("a sight before the acknowledgement was answered is a redelivery; after it, a duplicate", () => {
    const ledger = new Ledger(GRACE);
    ledger.accept(accepted("a"));
    ledger.sawMessage("bob", { id: "a", to: "bob" });
    ledger.sawMessage("bob", { id: "a", to: "bob" });
    expect(ledger.counts()).toMatchObject({ redelivered: 1, duplicates: 0 });
    ledger.deliveries.acknowledged(["a"], 5_000);
    ledger.sawMessage("bob", { id: "a", to: "bob" });
    expect(ledger.counts()).toMatchObject({ duplicates: 1 });
  });

  it("delivered and NACKed fails when the acknowledgement was answered within the grace past expiry, and not after", async () => {
    const ledger = new Ledger(GRACE);
    for (const id of ["early", "late", "afterGrace"]) {
      ledger.accept(accepted(id));
      ledger.sawMessage("bob", { id, to: "bob" });
      ledger.sawNack("alice", nack(id));
    }
    ledger.deliveries.acknowledged(["early"], 9_999);
    ledger.deliveries.acknowledged(["late"], 10_000 + GRACE - 1);
    ledger.deliveries.acknowledged(["afterGrace"], 10_000 + GRACE);
    expect(ledger.counts()).toMatchObject({ deliveredAndNacked: 2, ackedAfterGraceAndNacked: 1 });
    expect(ledger.failures().deliveredAndNacked).toEqual(["early", "late"]);
  });

  it("a NACK in the wrong mailbox or with other fields is misdirected; an unknown NACK is only counted", () => {
    const ledger = new Ledger(GRACE);
    ledger.accept(accepted("x"));
    ledger.sawNack("carol", nack("x"));
    ledger.sawNack("alice", nack("never-accepted"));
    expect(ledger.counts()).toMatchObject({ misdirected: 1, unknownNacks: 1, nacked: 1 });
  });
});
