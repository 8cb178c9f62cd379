/** Sealing a text or a receipt and storing it through the node. */
import { encodeBody, type Identity, type StoreResponse, seal } from "@wisp/lib";
import type { NodeClient } from "./node-client";

export function sendText(
  client: NodeClient,
  sender: Identity,
  recipient: Uint8Array,
  text: string,
  now: number,
): Promise<StoreResponse> {
  return client.store(seal(sender, recipient, encodeBody({ type: "text", text, sentAt: now })));
}

export function sendReceipt(client: NodeClient, sender: Identity, recipient: Uint8Array, ids: string[]) {
  return client.store(seal(sender, recipient, encodeBody({ type: "receipt", ids })));
}
