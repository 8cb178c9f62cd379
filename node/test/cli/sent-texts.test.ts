import { generateIdentity, mailboxAddress, toB64u } from "@wisp/lib";
import { describe, expect, it } from "vitest";
import type { CliState } from "../../src/cli/cli-state";
import {
  forgetSent,
  MAX_SENT_TEXTS,
  rememberSent,
  SENT_TEXT_KEPT_MS,
  sentTextOf,
  shownIdOf,
} from "../../src/cli/sent-texts";

const bob = generateIdentity();
const bobAddress = toB64u(bob.publicKey);
const bobMailbox = mailboxAddress(bob.publicKey);
const fresh = (): CliState => ({ groups: {} });

describe("the CLI's sent texts", () => {
  it("finds a NACK's text only by its id and the recipient's mailbox, and forgets it", () => {
    const state = fresh();
    rememberSent(state, [{ id: "id-1", to: bobAddress }], 1_000);
    expect(sentTextOf(state, { id: "id-1", to: bobMailbox, expiredAt: 5 })).toEqual({
      to: bobAddress,
      at: 1_000,
    });
    expect(
      sentTextOf(state, { id: "id-1", to: mailboxAddress(generateIdentity().publicKey), expiredAt: 5 }),
    ).toBeNull();
    expect(sentTextOf(state, { id: "id-2", to: bobMailbox, expiredAt: 5 })).toBeNull();
    for (const inherited of ["__proto__", "constructor", "toString"]) {
      expect(sentTextOf(state, { id: inherited, to: bobMailbox, expiredAt: 5 })).toBeNull();
      expect(shownIdOf(state, inherited)).toBe(inherited);
    }
    forgetSent(state, "id-1");
    expect(sentTextOf(state, { id: "id-1", to: bobMailbox, expiredAt: 5 })).toBeNull();
  });

  it("shows a group text by its mid and anything else by its envelope id", () => {
    const state = fresh();
    rememberSent(state, [{ id: "copy-for-bob", to: bobAddress, mid: "the-mid" }], 1_000);
    expect(shownIdOf(state, "copy-for-bob")).toBe("the-mid");
    expect(shownIdOf(state, "someone-else")).toBe("someone-else");
  });

  it("keeps the newest texts up to its limit, and none older than a NACK can come", () => {
    const state = fresh();
    const now = 10 * SENT_TEXT_KEPT_MS;
    rememberSent(state, [{ id: "too-old", to: bobAddress }], now - SENT_TEXT_KEPT_MS - 1);
    rememberSent(state, [{ id: "just-in-time", to: bobAddress }], now - SENT_TEXT_KEPT_MS);
    const many = Array.from({ length: MAX_SENT_TEXTS }, (_, i) => ({ id: `id-${i}`, to: bobAddress }));
    rememberSent(state, many.slice(0, MAX_SENT_TEXTS - 1), now);
    expect(Object.keys(state.sent ?? {})).toHaveLength(MAX_SENT_TEXTS);
    expect(state.sent?.["too-old"]).toBeUndefined();
    expect(state.sent?.["just-in-time"]).toBeDefined();
    rememberSent(state, many.slice(MAX_SENT_TEXTS - 1), now + 1);
    expect(Object.keys(state.sent ?? {})).toHaveLength(MAX_SENT_TEXTS);
    expect(state.sent?.["just-in-time"]).toBeUndefined();
    expect(state.sent?.[`id-${MAX_SENT_TEXTS - 1}`]).toBeDefined();
  });
});
