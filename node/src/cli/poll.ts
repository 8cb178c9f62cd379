/** One signed retrieve: acknowledge `ack`, print what came, send receipts for texts. */
import { decodeBody, type Identity, open, type StoredMessage, signRetrieve } from "@wisp/lib";
import { nodeCrypto } from "../crypto/node-crypto";
import type { CliContext } from "./commands";
import { unwrap } from "./node-error";
import { sendReceipt } from "./send";

export interface PollResult {
  /** Ids of every entry answered (messages and NACKs), to acknowledge in the next retrieve. */
  ids: string[];
  more: boolean;
}

export async function pollOnce(
  ctx: CliContext,
  identity: Identity,
  ack: string[],
  wait: number,
): Promise<PollResult> {
  const request = signRetrieve(identity, ctx.now(), ack, wait);
  const answer = unwrap(await ctx.client.retrieve(request, ctx.signal));
  const receipts = new Map<string, { publicKey: Uint8Array; ids: string[] }>();
  for (const message of answer.messages) {
    const text = showMessage(ctx, identity, message);
    if (!text) continue;
    const forSender = receipts.get(text.sender) ?? { publicKey: text.senderPublicKey, ids: [] };
    forSender.ids.push(message.id);
    receipts.set(text.sender, forSender);
  }
  for (const nack of answer.nacks) {
    if (ctx.json)
      ctx.out(JSON.stringify({ kind: "nack", id: nack.id, to: nack.to, expiredAt: nack.expiredAt }));
    else ctx.out(`NACK ${nack.id}: not delivered, expired ${new Date(nack.expiredAt).toISOString()}`);
  }
  for (const [sender, { publicKey, ids }] of receipts) {
    // A lost receipt only leaves the sender's tick grey; the message itself is safe with us.
    await sendReceipt(ctx.client, identity, publicKey, ids).catch((error: Error) =>
      ctx.err(`warning: receipt to ${sender} failed: ${error.message}`),
    );
  }
  return { ids: [...answer.messages.map((m) => m.id), ...answer.nacks.map((n) => n.id)], more: answer.more };
}

/**
 * Prints one message; answers its sender when it was a text (which earns a receipt). Opened on
 * node:crypto: the same answers as noble (node/test/crypto/node-open.test.ts), ~8× faster.
 */
function showMessage(ctx: CliContext, identity: Identity, message: StoredMessage) {
  const { expiresAt, ...envelope } = message;
  const opened = open(identity, envelope, nodeCrypto);
  if (!opened.ok) {
    ctx.err(`warning: dropped message ${message.id}: ${opened.reason}`);
    return null;
  }
  const body = decodeBody(opened.body);
  if (body?.type === "text") {
    if (ctx.json) {
      const line = {
        kind: "message",
        id: message.id,
        from: opened.sender,
        text: body.text,
        sentAt: body.sentAt,
        expiresAt,
      };
      ctx.out(JSON.stringify(line));
    } else {
      ctx.out(`${opened.sender} ${new Date(body.sentAt).toISOString()} ${body.text}`);
    }
    return { sender: opened.sender, senderPublicKey: opened.senderPublicKey };
  }
  if (body?.type === "receipt") {
    if (ctx.json)
      ctx.out(JSON.stringify({ kind: "receipt", id: message.id, from: opened.sender, ids: body.ids }));
    else ctx.out(`${opened.sender} received ${body.ids.join(", ")}`);
  }
  return null;
}
