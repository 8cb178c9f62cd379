/** Sealing a text, a receipt (delivered or read) or any body, and storing it through the node. */
import {
  type Body,
  encodeBody,
  type Identity,
  type NodeClient,
  parseSharedAddress,
  type ReplyRef,
  type StoreResponse,
  seal,
  toB64u,
} from "@wisp/lib";
import { UsageError } from "./args";
import type { CliContext } from "./commands";
import { unwrap } from "./node-error";

export function sendText(
  client: NodeClient,
  sender: Identity,
  recipient: Uint8Array,
  text: string,
  now: number,
  reply?: ReplyRef,
): Promise<StoreResponse> {
  const body = { type: "text" as const, text, sentAt: now, ...(reply ? { reply } : {}) };
  return client.store(seal(sender, recipient, encodeBody(body))).then(unwrap);
}

/** `receipt`: these envelope ids are stored here; `read`: they were shown (docs/protocol.md). */
export function sendReceipt(
  client: NodeClient,
  sender: Identity,
  recipient: Uint8Array,
  type: "receipt" | "read",
  ids: string[],
) {
  return client.store(seal(sender, recipient, encodeBody({ type, ids }))).then(unwrap);
}

/** A stored envelope: its id, and its recipient's address (b64u of the key). */
export interface SentEnvelope {
  id: string;
  to: string;
}

/** Seals `body` to each address and stores it; answers each envelope. */
export async function sendBody(
  ctx: CliContext,
  identity: Identity,
  to: readonly string[],
  body: Body,
): Promise<SentEnvelope[]> {
  const bytes = encodeBody(body);
  const sent: SentEnvelope[] = [];
  for (const address of to) {
    if (address === identity.address) continue;
    const parsed = parseSharedAddress(address);
    if (!parsed.ok) throw new UsageError(`${address}: ${parsed.error}`);
    const stored = unwrap(await ctx.client.store(seal(identity, parsed.publicKey, bytes)));
    sent.push({ id: stored.id, to: toB64u(parsed.publicKey) });
  }
  return sent;
}
