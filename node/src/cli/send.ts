/** Sealing a text or a receipt (delivered or read) and storing it through the node. */
import {
  encodeBody,
  type Identity,
  type NodeClient,
  type ReplyRef,
  type StoreResponse,
  seal,
} from "@wisp/lib";
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
