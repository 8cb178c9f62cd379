import { describe, expect, it } from "vitest";
import { encodeIdentityFile, generateIdentity, parseIdentityFile } from "../src/index";

describe("identity file", () => {
  it("round-trips the identity and named contacts, leaving out unnamed ones", () => {
    const me = generateIdentity();
    const friend = generateIdentity().address;
    const text = encodeIdentityFile(me, [
      { address: friend, name: "Friend" },
      { address: generateIdentity().address, name: "" },
    ]);
    expect(text.endsWith("}\n")).toBe(true);
    const parsed = parseIdentityFile(text);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.file.identity.address).toBe(me.address);
    expect(parsed.file.identity.seed).toEqual(me.seed);
    expect(parsed.file.contacts).toEqual([{ address: friend, name: "Friend" }]);
  });

  it("reads the CLI's file (no contacts) and the web app's file alike", () => {
    const me = generateIdentity();
    const parsed = parseIdentityFile(encodeIdentityFile(me));
    expect(parsed).toMatchObject({ ok: true, file: { contacts: [] } });
  });

  it("explains what is wrong with a bad file", () => {
    expect(parseIdentityFile("{")).toMatchObject({ ok: false, error: expect.stringContaining("not JSON") });
    for (const text of ['{"kind":"other"}', "[]", "null"])
      expect(parseIdentityFile(text)).toMatchObject({
        ok: false,
        error: expect.stringContaining("not a Wisp identity file"),
      });
    expect(parseIdentityFile('{"kind":"wisp-identity","v":2}')).toMatchObject({
      ok: false,
      error: "identity file version 2 is not supported",
    });
    expect(parseIdentityFile('{"kind":"wisp-identity","v":1,"seed":"abc"}')).toEqual({
      ok: false,
      error: '"seed" expected 32 bytes of base64url',
    });
    const text = encodeIdentityFile(generateIdentity()).replace(
      /"address": "[^"]+"/,
      `"address": "${"A".repeat(43)}"`,
    );
    expect(parseIdentityFile(text)).toMatchObject({
      ok: false,
      error: expect.stringContaining("does not match"),
    });
  });

  it("drops contacts that are not an address and a short name", () => {
    const me = generateIdentity();
    const good = { address: generateIdentity().address, name: "Ok" };
    const file = JSON.parse(encodeIdentityFile(me));
    file.contacts = [
      good,
      { address: "short", name: "x" },
      { address: good.address, name: "n".repeat(201) },
      7,
    ];
    expect(parseIdentityFile(JSON.stringify(file))).toMatchObject({ ok: true, file: { contacts: [good] } });
  });
});
