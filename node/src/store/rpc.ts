/**
 * Answers the store.* requests of other nodes: decodes each (a malformed one is refused with
 * RpcReject), refuses a put or fetch for a mailbox this node does not own now (store.not_owner),
 * waits while this node takes over the range of the mailbox (takeover.ts), and hands the rest to
 * MailboxOwner — checking first that the sender may send it
 * (docs/security.md): a NACK only from the node responsible for the NACKed message's mailbox, a
 * copied entry only from a node that could be its owner or replica by this node's own view.
 */
import { between, type RingId } from "@wisp/lib";
import { AddrGroups } from "../chord/per-ip";
import type { Ring } from "../chord/ring";
import type { RefusalSink } from "../metrics";
import { RpcReject, type RpcRouter } from "../rpc/router";
import type { PeerIdentity, WireMessage } from "../transport/transport";
import { type Entry, mailboxKey } from "./entry";
import type { MailboxOwner } from "./owner";
import {
  decodeStoreRequest,
  NOT_OWNER,
  type PutRequest,
  STORE_TAGS,
  type StoreAnswer,
  type TakeoverAnswer,
  type TakeoverRequest,
} from "./wire";

/** How long a receiver looks for the node responsible for a NACKed message's mailbox. */
const NACK_CHECK_MS = 2_000;

/** The takeover of a grown key range (takeover.ts), as the handlers need it. */
export interface TakeoverHandlers {
  /** Resolves once the entries of key's range, if it is being taken over, are in. */
  ready(key: RingId): Promise<void>;
  answer(request: TakeoverRequest, peer: PeerIdentity): Promise<TakeoverAnswer>;
}

export function registerStoreHandlers(
  router: RpcRouter,
  ring: Ring,
  owner: MailboxOwner,
  takeover: TakeoverHandlers,
  refuse?: RefusalSink,
): void {
  const handlers: StoreHandlers = { ring, owner, takeover, refuse, groups: new AddrGroups() };
  router.on(STORE_TAGS, (message, peer) => handleStoreMessage(handlers, message, peer));
}

interface StoreHandlers {
  ring: Ring;
  owner: MailboxOwner;
  takeover: TakeoverHandlers;
  refuse: RefusalSink | undefined;
  /** Every put and copy asks for its sender's IP group; the same few peers send them all. */
  groups: AddrGroups;
}

async function handleStoreMessage(
  handlers: StoreHandlers,
  message: WireMessage,
  peer: PeerIdentity,
): Promise<StoreAnswer> {
  const { ring, owner, takeover, refuse, groups } = handlers;
  const request = decodeStoreRequest(message);
  if (typeof request === "string") throw new RpcReject(request);
  const owns = (key: RingId) => ring.isJoined() && ring.owns(key);
  switch (request.t) {
    case "store.put": {
      const key = mailboxKey(request.kind === "msg" ? request.envelope.to : request.mailbox);
      if (!owns(key)) return NOT_OWNER;
      if (request.kind === "nack" && !(await sentByResponsible(ring, request, peer)))
        throw new RpcReject(
          "a NACK is taken only from the node responsible for the NACKed message's mailbox",
        );
      await takeover.ready(key);
      return owner.acceptPut(request, shareSource(peer, groups));
    }
    case "store.fetch": {
      const key = mailboxKey(request.mailbox);
      if (!owns(key)) return NOT_OWNER;
      await takeover.ready(key);
      return owner.answerFetch(request);
    }
    case "store.takeover":
      return takeover.answer(request, peer);
    case "store.replicate": {
      const entries = mayCopy(ring, request.entries, peer);
      const dropped = request.entries.length - entries.length;
      if (dropped > 0)
        refuse?.("copies", peer.addr ?? nodeSource(peer), `${dropped} entries it may not copy here`);
      const source = {
        who: nodeSource(peer),
        hasShare: shareSource(peer, groups) !== null,
        neighbour: handsKeysOver(ring, peer, owner.replicas),
      };
      return owner.acceptReplicate({ ...request, entries }, source);
    }
    case "store.digest":
      return owner.answerDigest(request, nodeSource(peer));
  }
}

/** A node is a source of puts and copies by its key: the link proved it (quota.ts). */
function nodeSource(peer: PeerIdentity): string {
  return `node:${peer.key}`;
}

/** The source a put or a copy counts under: none for a node on loopback (PROTOCOL.md: no per-IP limits there). */
function shareSource(peer: PeerIdentity, groups: AddrGroups): string | null {
  return peer.addr !== null && groups.of(peer.addr) === null ? null : nodeSource(peer);
}

/**
 * A node that may hand this node a whole mailbox: its predecessor (leaving), one of the first
 * `replicas` successors (the replicas of a range it took over, takeover.ts), or the node it joins
 * through.
 */
function handsKeysOver(ring: Ring, peer: PeerIdentity, replicas: number): boolean {
  const same = (node: { key: string; addr: string } | null) =>
    node !== null && node.key === peer.key && node.addr === peer.addr;
  const holders = ring.successors().slice(0, replicas);
  return same(ring.predecessor()) || holders.some(same) || same(ring.joiningVia());
}

/** The owner of the NACKed message's mailbox (`nack.to`), by this node's own lookup, is the sender. */
async function sentByResponsible(
  ring: Ring,
  request: Extract<PutRequest, { kind: "nack" }>,
  peer: PeerIdentity,
): Promise<boolean> {
  if (peer.addr === null) return false;
  try {
    const { node } = await ring.lookup(mailboxKey(request.nack.to), {
      signal: AbortSignal.timeout(NACK_CHECK_MS),
    });
    return node.key === peer.key && node.addr === peer.addr;
  } catch {
    return false;
  }
}

/**
 * The entries a sender may copy to this node: those of keys this node owns (a stray handed to its
 * owner, a hand-off), and those of keys the sender lies at or after on the way to this node, as
 * the key's owner and the replicas before this one do. A stranger elsewhere on the ring fills
 * nothing; an outsider that does not listen fills nothing.
 */
function mayCopy(ring: Ring, entries: Entry[], peer: PeerIdentity): Entry[] {
  if (peer.addr === null) return [];
  const self = ring.self.id;
  const via = ring.joiningVia();
  // A joining node takes from the successor it asks to join the keys at or before itself.
  const fromJoinTarget = via !== null && via.key === peer.key && via.addr === peer.addr;
  const handedOver = (key: RingId) => fromJoinTarget && (key === self || between(key, self, peer.id));
  const allowed = (key: RingId) =>
    ring.owns(key) || peer.id === key || between(key, peer.id, self) || handedOver(key);
  return entries.filter((entry) => allowed(mailboxKey(entry.mailbox)));
}
