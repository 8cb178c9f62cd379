/**
 * Runs inside a Chromium page (bundled by esbuild, bench/rows/browser-crypto.ts): lib's seal, open
 * and signRetrieve per call, on noble (what the app ran before) and on the WebCrypto backend (what
 * it runs now where the browser has Ed25519 and X25519), and whether both give the same bytes.
 */
import {
  encodeBody,
  generateIdentity,
  open,
  openAsync,
  recipientKeys,
  seal,
  sealAsync,
  signRetrieve,
  signRetrieveAsync,
  webCrypto,
} from "@wisp/lib";

const WARM_UP = 20;

async function perCall(runs: number, work: () => unknown): Promise<number> {
  for (let i = 0; i < WARM_UP; i++) await work();
  const started = performance.now();
  for (let i = 0; i < runs; i++) await work();
  return (performance.now() - started) / runs;
}

export async function measurePageCrypto(runs: number): Promise<Record<string, number>> {
  const web = await webCrypto();
  if (!web) throw new Error("this Chromium's WebCrypto lacks Ed25519 or X25519");
  const alice = generateIdentity();
  const bob = generateIdentity();
  const body = encodeBody({ type: "text", text: "the quick brown fox jumps over the lazy dog", sentAt: 1 });
  const envelope = seal(alice, bob.publicKey, body);
  const bobKeys = recipientKeys(bob.publicKey);
  const options = { id: new Uint8Array(16).fill(7), ephSecret: new Uint8Array(32).fill(9) };
  const same =
    JSON.stringify(seal(alice, bob.publicKey, body, options)) ===
    JSON.stringify(await sealAsync(alice, bobKeys, body, web, options));
  return {
    nobleSealMs: await perCall(runs, () => seal(alice, bob.publicKey, body)),
    nobleSealKnownRecipientMs: await perCall(runs, () => seal(alice, bobKeys, body)),
    webCryptoSealMs: await perCall(runs, () => sealAsync(alice, bobKeys, body, web)),
    nobleOpenMs: await perCall(runs, () => open(bob, envelope)),
    webCryptoOpenMs: await perCall(runs, () => openAsync(bob, envelope, web)),
    nobleSignRetrieveMs: await perCall(runs, () => signRetrieve(alice, 1, [], 0)),
    webCryptoSignRetrieveMs: await perCall(runs, () => signRetrieveAsync(alice, 1, [], 0, web)),
    sameBytes: same ? 1 : 0,
  };
}
