/**
 * The link's cryptography against known answers: noise-handshake's XX state machine and our
 * frame cipher reproduce the Noise reference vector Noise_XX_25519_ChaChaPoly_BLAKE2b (cacophony)
 * byte for byte, and the Ed25519 variant the links use agrees between both sides, refuses bad keys
 * and proves each side's key.
 */
import { toB64u } from "@wisp/lib";
import curve from "noise-curve-ed";
import NoiseState from "noise-handshake";
import x25519 from "noise-handshake/dh.js";
import { describe, expect, it } from "vitest";
import { generateNodeKey } from "../../src/identity/node-key";
import { FrameCipher } from "../../src/transport/frame-cipher";
import vector from "./vectors/noise-xx-25519-chachapoly-blake2b.json";

const hex = (text: string) => Buffer.from(text, "hex");

describe("Noise XX against the cacophony vector", () => {
  it("reproduces every handshake message, the handshake hash and the transport messages", () => {
    const initiator = new NoiseState("XX", true, x25519.generateKeyPair(hex(vector.init_static)), {
      curve: x25519,
    });
    const responder = new NoiseState("XX", false, x25519.generateKeyPair(hex(vector.resp_static)), {
      curve: x25519,
    });
    initiator.e = x25519.generateKeyPair(hex(vector.init_ephemeral));
    responder.e = x25519.generateKeyPair(hex(vector.resp_ephemeral));
    initiator.initialise(hex(vector.init_prologue));
    responder.initialise(hex(vector.resp_prologue));
    const [first, second, third, ...transport] = vector.messages;
    expect(initiator.send(hex(first.payload)).toString("hex")).toBe(first.ciphertext);
    expect(responder.recv(hex(first.ciphertext)).toString("hex")).toBe(first.payload);
    expect(responder.send(hex(second.payload)).toString("hex")).toBe(second.ciphertext);
    expect(initiator.recv(hex(second.ciphertext)).toString("hex")).toBe(second.payload);
    expect(initiator.send(hex(third.payload)).toString("hex")).toBe(third.ciphertext);
    expect(responder.recv(hex(third.ciphertext)).toString("hex")).toBe(third.payload);
    expect(initiator.hash?.toString("hex")).toBe(vector.handshake_hash);
    expect(responder.hash?.toString("hex")).toBe(vector.handshake_hash);

    const ciphers = {
      initiatorSend: new FrameCipher(initiator.tx as Buffer),
      responderSend: new FrameCipher(responder.tx as Buffer),
      initiatorReceive: new FrameCipher(initiator.rx as Buffer),
      responderReceive: new FrameCipher(responder.rx as Buffer),
    };
    // After the handshake the responder speaks first, then they alternate.
    transport.forEach((message, i) => {
      const fromResponder = i % 2 === 0;
      const sealed = (fromResponder ? ciphers.responderSend : ciphers.initiatorSend).seal(
        hex(message.payload),
      );
      expect(sealed.readUInt32BE(0)).toBe(sealed.length - 4);
      expect(sealed.subarray(4).toString("hex")).toBe(message.ciphertext);
      const opened = (fromResponder ? ciphers.initiatorReceive : ciphers.responderReceive).open(
        hex(message.ciphertext),
      );
      expect(Buffer.from(opened as Uint8Array).toString("hex")).toBe(message.payload);
    });
  });
});

describe("Noise XX over Ed25519 node keys", () => {
  const handshake = (initiatorKey = generateNodeKey(0), responderKey = generateNodeKey(0)) => {
    const pair = (key: typeof initiatorKey) => ({
      publicKey: Buffer.from(key.publicKey),
      secretKey: Buffer.from(key.secretKey),
    });
    const initiator = new NoiseState("XX", true, pair(initiatorKey), { curve });
    const responder = new NoiseState("XX", false, pair(responderKey), { curve });
    initiator.initialise(Buffer.from("wisp/link/v1"));
    responder.initialise(Buffer.from("wisp/link/v1"));
    return { initiator, responder, initiatorKey, responderKey };
  };

  it("gives each side the other's node key and matching frame keys", () => {
    const { initiator, responder, initiatorKey, responderKey } = handshake();
    responder.recv(initiator.send());
    initiator.recv(responder.send());
    responder.recv(initiator.send());
    expect(toB64u(initiator.rs as Buffer)).toBe(responderKey.key);
    expect(toB64u(responder.rs as Buffer)).toBe(initiatorKey.key);
    const frame = new FrameCipher(initiator.tx as Buffer).seal(Buffer.from("hello"));
    expect(
      Buffer.from(new FrameCipher(responder.rx as Buffer).open(frame.subarray(4)) as Uint8Array).toString(),
    ).toBe("hello");
  });

  it("fails when a peer presents a small-order point or a non-point as its static key", () => {
    const badKeys = [
      Buffer.alloc(32), // encodes a small-order point
      Buffer.from("0100000000000000000000000000000000000000000000000000000000000000", "hex"), // the identity
      Buffer.from("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "hex"), // order 2
      Buffer.alloc(32, 0xff), // no point at all
    ];
    let refusedByResponder = 0;
    for (const bad of badKeys) {
      const liar = { publicKey: bad, secretKey: Buffer.concat([Buffer.alloc(32, 1), bad]) };
      const initiator = new NoiseState("XX", true, liar, { curve });
      const honest = generateNodeKey(0);
      const responder = new NoiseState(
        "XX",
        false,
        { publicKey: Buffer.from(honest.publicKey), secretKey: Buffer.from(honest.secretKey) },
        { curve },
      );
      initiator.initialise(Buffer.from("wisp/link/v1"));
      responder.initialise(Buffer.from("wisp/link/v1"));
      responder.recv(initiator.send());
      initiator.recv(responder.send());
      let third: Buffer | null = null;
      try {
        third = initiator.send();
      } catch {
        continue; // the liar's own library refuses too
      }
      expect(() => responder.recv(third as Buffer)).toThrow();
      refusedByResponder++;
    }
    expect(refusedByResponder).toBeGreaterThan(0);
  });

  it("fails on any flipped bit of any handshake message", () => {
    for (const index of [0, 1, 2]) {
      for (const position of [0, 31, 40, 70]) {
        const { initiator, responder } = handshake();
        const steps = [
          () => initiator.send(),
          (m: Buffer) => responder.recv(m),
          () => responder.send(),
          (m: Buffer) => initiator.recv(m),
          () => initiator.send(),
          (m: Buffer) => responder.recv(m),
        ];
        let failed = false;
        let flipped = false;
        try {
          for (let i = 0; i < 3; i++) {
            const message = (steps[2 * i] as () => Buffer)();
            if (i === index && position < message.length) {
              message[position] ^= 1;
              flipped = true;
            }
            (steps[2 * i + 1] as (m: Buffer) => Buffer)(message);
          }
          // A flipped bit in the first message's ephemeral key only changes the keys both derive.
          failed = !initiator.tx || !responder.rx || Buffer.compare(initiator.tx, responder.rx) !== 0;
        } catch {
          failed = true;
        }
        if (flipped) expect(failed, `message ${index} bit at byte ${position}`).toBe(true);
      }
    }
  });
});

describe("FrameCipher", () => {
  it("refuses a replayed, reordered, truncated or altered frame", () => {
    const key = Buffer.alloc(32, 7);
    const sender = new FrameCipher(key);
    const frames = [0, 1, 2].map((n) => sender.seal(Buffer.from(`frame ${n}`)).subarray(4));
    const inOrder = new FrameCipher(key);
    expect(Buffer.from(inOrder.open(frames[0]) as Uint8Array).toString()).toBe("frame 0");
    expect(inOrder.open(frames[0])).toBeNull(); // replay
    expect(new FrameCipher(key).open(frames[1])).toBeNull(); // reordered
    expect(new FrameCipher(key).open(frames[0].subarray(0, frames[0].length - 1))).toBeNull();
    expect(new FrameCipher(key).open(frames[0].subarray(0, 10))).toBeNull();
    const altered = Buffer.from(frames[0]);
    altered[0] ^= 0x80;
    expect(new FrameCipher(key).open(altered)).toBeNull();
    expect(new FrameCipher(Buffer.alloc(32, 8)).open(frames[0])).toBeNull();
  });
});
