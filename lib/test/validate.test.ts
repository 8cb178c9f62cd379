import { describe, expect, it } from "vitest";
import {
  envelopeSize,
  generateIdentity,
  MAX_ENVELOPE_BYTES,
  seal,
  signRetrieve,
  toB64u,
  utf8,
  validateEnvelope,
  validateRetrieveRequest,
} from "../src/index";

const alice = generateIdentity();
const bob = generateIdentity();
const envelope = seal(alice, bob.publicKey, utf8("hello"));
const b64 = (n: number) => toB64u(new Uint8Array(n));

function expectBad(
  result: ReturnType<typeof validateEnvelope | typeof validateRetrieveRequest>,
  message: string,
) {
  expect(result).toEqual({ ok: false, code: "bad_request", message });
}

describe("validateEnvelope", () => {
  it("accepts a sealed envelope and returns only its fields", () => {
    const value = { envelope, jsonBytes: JSON.stringify(envelope).length };
    expect(validateEnvelope(envelope)).toEqual({ ok: true, value });
    expect(validateEnvelope(JSON.parse(JSON.stringify(envelope)))).toEqual({ ok: true, value });
  });

  it("names the field and says why", () => {
    expectBad(validateEnvelope({ ...envelope, eph: b64(31) }), '"eph" expected 32 bytes, got 31');
    expectBad(validateEnvelope({ ...envelope, id: b64(17) }), '"id" expected 16 bytes, got 17');
    expectBad(validateEnvelope({ ...envelope, to: b64(33) }), '"to" expected 32 bytes, got 33');
    expectBad(validateEnvelope({ ...envelope, nackTo: b64(0) }), '"nackTo" expected 32 bytes, got 0');
    expectBad(validateEnvelope({ ...envelope, ct: b64(111) }), '"ct" expected at least 112 bytes, got 111');
    expectBad(validateEnvelope({ ...envelope, v: 2 }), '"v" expected 1, got 2');
    expectBad(validateEnvelope({ ...envelope, v: "1" }), '"v" expected 1, got "1"');
    expectBad(validateEnvelope({ ...envelope, to: 5 }), '"to" expected a base64url string, got 5');
    expectBad(
      validateEnvelope({ ...envelope, to: `${envelope.to.slice(0, 42)}=` }),
      '"to" is not canonical base64url without padding',
    );
    expectBad(
      validateEnvelope({ ...envelope, id: `${envelope.id.slice(0, 21)}+` }),
      '"id" is not canonical base64url without padding',
    );
  });

  it("requires exactly the envelope's keys", () => {
    const { ct: _ct, ...withoutCt } = envelope;
    expectBad(validateEnvelope(withoutCt), 'envelope is missing "ct"');
    expectBad(validateEnvelope({ ...envelope, expiresAt: 1 }), 'envelope has unknown field "expiresAt"');
    expectBad(
      validateEnvelope(JSON.parse(`{"__proto__":1,${JSON.stringify(envelope).slice(1)}`)),
      'envelope has unknown field "__proto__"',
    );
  });

  it("refuses what is not an object", () => {
    expectBad(validateEnvelope(null), "envelope expected a JSON object, got null");
    expectBad(validateEnvelope([]), "envelope expected a JSON object, got an array");
    expectBad(validateEnvelope("x"), 'envelope expected a JSON object, got "x"');
  });

  it("answers too_large above 65,536 bytes of JSON and accepts exactly the limit", () => {
    const overhead = envelopeSize({ ...envelope, ct: "" });
    const fits = { ...envelope, ct: "A".repeat(MAX_ENVELOPE_BYTES - overhead) };
    // A b64u string of length ≡ 1 (mod 4) cannot be decoded; trim to a decodable length.
    while (fits.ct.length % 4 === 1) fits.ct = fits.ct.slice(1);
    expect(validateEnvelope(fits).ok).toBe(true);
    const exact = { ...envelope, ct: "A".repeat(MAX_ENVELOPE_BYTES - overhead) };
    expect(envelopeSize(exact)).toBe(MAX_ENVELOPE_BYTES);
    const over = { ...envelope, ct: "A".repeat(MAX_ENVELOPE_BYTES - overhead + 1) };
    expect(validateEnvelope(over)).toEqual({
      ok: false,
      code: "too_large",
      message: `envelope is ${MAX_ENVELOPE_BYTES + 1} bytes as JSON, more than the limit of ${MAX_ENVELOPE_BYTES}`,
    });
  });

  it("measures an envelope as the bytes of its JSON", () => {
    expect(envelopeSize(envelope)).toBe(JSON.stringify(envelope).length);
  });
});

describe("validateRetrieveRequest", () => {
  const ids = [toB64u(new Uint8Array(16).fill(1)), toB64u(new Uint8Array(16).fill(2))];
  const request = signRetrieve(bob, 1764115200000, ids, 25000);

  it("accepts a signed request", () => {
    expect(validateRetrieveRequest(request)).toEqual({ ok: true, value: request });
    expect(validateRetrieveRequest({ ...request, ack: [], wait: 0, ts: 0 }).ok).toBe(true);
  });

  it("names the field and says why", () => {
    expectBad(validateRetrieveRequest({ ...request, pk: b64(31) }), '"pk" expected 32 bytes, got 31');
    expectBad(validateRetrieveRequest({ ...request, sig: b64(63) }), '"sig" expected 64 bytes, got 63');
    expectBad(
      validateRetrieveRequest({ ...request, sig: null }),
      '"sig" expected a base64url string, got null',
    );
    expectBad(
      validateRetrieveRequest({ ...request, ts: -1 }),
      '"ts" expected a non-negative integer of milliseconds, got -1',
    );
    expectBad(
      validateRetrieveRequest({ ...request, ts: 2 ** 53 }),
      `"ts" expected a non-negative integer of milliseconds, got ${2 ** 53}`,
    );
    expectBad(
      validateRetrieveRequest({ ...request, wait: 25001 }),
      '"wait" expected an integer from 0 to 25000 (ms), got 25001',
    );
    expectBad(
      validateRetrieveRequest({ ...request, wait: 1.5 }),
      '"wait" expected an integer from 0 to 25000 (ms), got 1.5',
    );
    expectBad(validateRetrieveRequest({ ...request, ack: "x" }), '"ack" expected an array of ids, got "x"');
    expectBad(
      validateRetrieveRequest({ ...request, ack: [ids[0], b64(15)] }),
      '"ack[1]" expected 16 bytes, got 15',
    );
    expectBad(
      validateRetrieveRequest({ ...request, ack: [7] }),
      '"ack[0]" expected a base64url string, got 7',
    );
    expectBad(
      validateRetrieveRequest({ ...request, ack: Array(257).fill(ids[0]) }),
      '"ack" holds 257 ids, more than the limit of 256',
    );
  });

  it("requires exactly the request's keys", () => {
    const { wait: _wait, ...withoutWait } = request;
    expectBad(validateRetrieveRequest(withoutWait), 'retrieve request is missing "wait"');
    expectBad(
      validateRetrieveRequest({ ...request, mailbox: "x" }),
      'retrieve request has unknown field "mailbox"',
    );
    expectBad(validateRetrieveRequest(undefined), "retrieve request expected a JSON object, got undefined");
  });
});
