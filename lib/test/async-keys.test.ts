/** Identities and group states on an AsyncWispCrypto backend: the same bytes and answers as on noble. */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AsyncWispCrypto,
  createGroup,
  createGroupAsync,
  encodeIdentityFile,
  fromHex,
  generateIdentityAsync,
  identityFromSeed,
  identityFromSeedAsync,
  nextGroupState,
  nobleAsyncCrypto,
  ownGroupState,
  parseIdentityFile,
  parseIdentityFileAsync,
  type SignedGroupState,
  signGroupState,
  signGroupStateAsync,
  toHex,
  verifyGroupState,
  verifyGroupStateAsync,
  webCrypto,
  x25519SecretFromSeed,
  x25519SecretFromSeedAsync,
} from "../src/index";
import vectors from "./vectors.json";

const shared = JSON.parse(readFileSync("/work/shared/vectors/wisp-v1.json", "utf8")) as typeof vectors;
const [alice, bob] = [1, 2].map((n) => identityFromSeed(new Uint8Array(32).fill(n)));

let web: AsyncWispCrypto | null = null;
beforeAll(async () => {
  web = await webCrypto();
});

const backends: [string, () => AsyncWispCrypto][] = [
  ["WebCrypto", () => web as AsyncWispCrypto],
  ["noble", () => nobleAsyncCrypto],
];

describe.each(backends)("%s: identities from a seed", (_name, backend) => {
  it.each([...vectors.identities, ...shared.identities])("$name: the vector's keys", async (v) => {
    const seed = fromHex(v.seed);
    const identity = await identityFromSeedAsync(seed, backend());
    expect(toHex(identity.publicKey)).toBe(v.pk);
    expect(identity).toEqual(identityFromSeed(seed));
    expect(toHex(await x25519SecretFromSeedAsync(seed, backend()))).toBe(v.x25519_sk);
    expect(toHex(x25519SecretFromSeed(seed))).toBe(v.x25519_sk);
  });

  it("generates from the injected randomness, and refuses a seed of another length", async () => {
    const made = await generateIdentityAsync(backend(), (n) => new Uint8Array(n).fill(7));
    expect(made).toEqual(identityFromSeed(new Uint8Array(32).fill(7)));
    const message = "seed expected 32 bytes, got 31";
    await expect(identityFromSeedAsync(new Uint8Array(31), backend())).rejects.toThrow(
      new RangeError(message),
    );
    await expect(x25519SecretFromSeedAsync(new Uint8Array(31), backend())).rejects.toThrow(message);
  });

  it("reads an identity file as parseIdentityFile does, a damaged one too", async () => {
    const text = encodeIdentityFile(alice, [{ address: bob.address, name: "Bob" }]);
    expect(await parseIdentityFileAsync(text, backend())).toEqual(parseIdentityFile(text));
    const damaged = text.replace(alice.address, bob.address);
    const refused = await parseIdentityFileAsync(damaged, backend());
    expect(refused).toEqual({ ok: false, error: '"address" does not match the seed; the file is damaged' });
    expect(await parseIdentityFileAsync("{", backend())).toEqual(parseIdentityFile("{"));
  });
});

describe.each(backends)("%s: group states", (_name, backend) => {
  const nonce = new Uint8Array(16).fill(9);

  it("signs the first state and the next byte for byte as noble does", async () => {
    const made = await createGroupAsync(alice, "Trip", [bob.address], 1000, backend(), nonce);
    expect(made).toEqual(createGroup(alice, "Trip", [bob.address], 1000, nonce));
    const genesis = verifyGroupState(made.signed)!;
    const next = nextGroupState(genesis, alice.address, { name: "Trip 2027" }, 1001);
    expect(await signGroupStateAsync(alice, next, backend())).toEqual(signGroupState(alice, next));
    await expect(signGroupStateAsync(bob, next, backend())).rejects.toThrow("not the signer");
  });

  it("verifies as verifyGroupState: a good state, and null for a forged, tampered or malformed one", async () => {
    const { signed } = createGroup(alice, "Trip", [bob.address], 1000, nonce);
    const state = JSON.parse(signed.state);
    const cases: SignedGroupState[] = [
      signed,
      { state: JSON.stringify({ ...state, by: bob.address, admins: [bob.address] }), sig: signed.sig },
      { state: signed.state.replace("Trip", "Tr1p"), sig: signed.sig },
      { state: signed.state, sig: `${signed.sig.slice(0, 85)}${signed.sig.endsWith("A") ? "B" : "A"}` },
      { state: "{", sig: signed.sig },
      { state: signed.state, sig: "short" },
    ];
    for (const c of cases) expect(await verifyGroupStateAsync(c, backend())).toEqual(verifyGroupState(c));
    expect(await verifyGroupStateAsync(signed, backend())).toEqual(ownGroupState(signed));
    expect(verifyGroupState(signed)).not.toBeNull();
    expect(cases.slice(1).map((c) => verifyGroupState(c))).toEqual([null, null, null, null, null]);
  });
});
