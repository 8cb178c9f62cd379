import { describe, expect, it } from "vitest";
import { sodiumBinding } from "../../sodium-binding.mjs";
import { runBundled } from "./run-bundled";

describe("the node bundle's sodium-native", () => {
  it("loads the prebuilt addon without require-addon or node:assert, and still checks its arguments", async () => {
    const { code, out } = await runBundled(
      `
      import sodium from "sodium-native";
      const digest = Buffer.alloc(32);
      sodium.crypto_hash_sha256(digest, Buffer.from("abc"));
      let refused = null;
      try { sodium.crypto_hash_sha256(Buffer.alloc(3), Buffer.from("abc")); } catch (error) { refused = error; }
      console.log(JSON.stringify({
        digest: digest.toString("hex"),
        refused: refused && { code: refused.code, message: refused.message },
        assertLoaded: process.moduleLoadList.includes("NativeModule assert"),
      }));
    `,
      { plugins: [sodiumBinding] },
    );
    expect(JSON.parse(out)).toEqual({
      digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      refused: { code: "ERR_ASSERTION", message: "out must be 'crypto_hash_sha256_BYTES' bytes" },
      assertLoaded: false,
    });
    expect(code).not.toMatch(/bare-module-resolve|bare-semver|require\.addon/);
  });
});
