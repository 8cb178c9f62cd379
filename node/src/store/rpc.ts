/**
 * Answers the store.* requests of other nodes: decodes each (a malformed one is refused with
 * RpcReject), refuses a put or fetch for a mailbox this node does not own now (store.not_owner),
 * and hands the rest to MailboxOwner.
 */
import type { Ring } from "../chord/ring";
import { RpcReject, type RpcRouter } from "../rpc/router";
import type { WireMessage } from "../transport/transport";
import { mailboxKey } from "./entry";
import type { MailboxOwner } from "./owner";
import { decodeStoreRequest, NOT_OWNER, STORE_TAGS, type StoreAnswer } from "./wire";

export function registerStoreHandlers(router: RpcRouter, ring: Ring, owner: MailboxOwner): void {
  router.on(STORE_TAGS, (message) => handleStoreMessage(ring, owner, message));
}

async function handleStoreMessage(
  ring: Ring,
  owner: MailboxOwner,
  message: WireMessage,
): Promise<StoreAnswer> {
  const request = decodeStoreRequest(message);
  if (typeof request === "string") throw new RpcReject(request);
  const owns = (mailbox: string) => ring.isJoined() && ring.owns(mailboxKey(mailbox));
  switch (request.t) {
    case "store.put":
      return owns(request.kind === "msg" ? request.envelope.to : request.mailbox)
        ? owner.acceptPut(request)
        : NOT_OWNER;
    case "store.fetch":
      return owns(request.mailbox) ? owner.answerFetch(request) : NOT_OWNER;
    case "store.replicate":
      return owner.acceptReplicate(request);
    case "store.digest":
      return owner.answerDigest(request);
  }
}
