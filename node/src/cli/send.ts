/** Sealing a text or a receipt and storing it through the node. */
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

export function sendReceipt(client: NodeClient, sender: Identity, recipient: Uint8Array, ids: string[]) {
  return client.store(seal(sender, recipient, encodeBody({ type: "receipt", ids }))).then(unwrap);
}
