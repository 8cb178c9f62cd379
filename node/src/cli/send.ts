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

/** Seals `body` to each address and stores it; answers each envelope's id and recipient (b64u key). */
export async function sendBody(
  ctx: CliContext,
  identity: Identity,
  to: readonly string[],
  body: Body,
): Promise<{ id: string; to: string }[]> {
  const bytes = encodeBody(body);
  const sent: { id: string; to: string }[] = [];
  for (const address of to) {
    if (address === identity.address) continue;
    const parsed = parseSharedAddress(address);
    if (!parsed.ok) throw new UsageError(`${address}: ${parsed.error}`);
    const stored = unwrap(await ctx.client.store(seal(identity, parsed.publicKey, bytes)));
    sent.push({ id: stored.id, to: toB64u(parsed.publicKey) });
  }
  return sent;
}
