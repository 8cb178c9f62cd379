import type { AsyncWispCrypto, Identity, NodeApi } from "@wisp/lib";
import type { Timing } from "./timing";

/** What the parts of the engine (client.ts) sign, seal, call and time with. */
export interface EngineParts {
  identity: Identity;
  api: NodeApi;
  crypto: AsyncWispCrypto;
  timing: Timing;
  now: () => number;
}
