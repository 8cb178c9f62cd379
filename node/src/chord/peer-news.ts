/**
 * News from other nodes about the ring: "I may be your predecessor", "my successor list changed",
 * "I am leaving", "take me in". Each is believed only from the node it names, over that node's own
 * link (isSender), and a neighbour it introduces is taken only once it answers at its address
 * with its key (S/Kademlia's rule).
 */
import { between } from "@wisp/lib";
import { RpcReject } from "../rpc/router";
import type { PeerIdentity } from "../transport/transport";
import type { Admissions } from "./join";
import type { JoinAnswer } from "./messages";
import type { PeerCalls } from "./peer-calls";
import { applyLeave, applyNotify } from "./peer-updates";
import type { NodeRef } from "./ring";
import type { RoutingTable } from "./routing-table";

export interface PeerNewsDeps {
  self: NodeRef;
  table: RoutingTable;
  calls: PeerCalls;
  admissions: Admissions;
  /** Asks for a stabilize round soon. */
  stabilizeSoon(): void;
  changed(): void;
}

export class PeerNews {
  constructor(private readonly deps: PeerNewsDeps) {}

  /** A new predecessor, or a node that joined between us and our successor, triggers a stabilize round. */
  async acceptNotify(node: NodeRef, peer: PeerIdentity): Promise<void> {
    const { deps } = this;
    if (!isSender(node, peer)) throw new RpcReject("chord.notify names another node than its sender");
    const successor = deps.table.successor();
    if (successor && between(deps.self.id, node.id, successor.id)) deps.stabilizeSoon();
    if (!this.wouldTakeAsPredecessor(node)) return;
    if (!(await deps.calls.ping(node))) return;
    if (!applyNotify(deps.table, node)) return;
    deps.changed();
    deps.stabilizeSoon();
  }

  /** Only the sender's own news: a changed successor list of our successor is copied soon. */
  acceptChanged(node: NodeRef, peer: PeerIdentity): void {
    const { deps } = this;
    if (!isSender(node, peer)) throw new RpcReject("chord.changed names another node than its sender");
    const successor = deps.table.successor();
    if (!successor) return;
    if (successor.addr === node.addr || between(deps.self.id, node.id, successor.id)) deps.stabilizeSoon();
  }

  /** The neighbours a leaving node names in its place are taken only once they answer. */
  async acceptLeave(
    leaving: NodeRef,
    predecessor: NodeRef | null,
    successors: NodeRef[],
    peer: PeerIdentity,
  ): Promise<void> {
    const { deps } = this;
    if (!isSender(leaving, peer)) throw new RpcReject("chord.leave names another node than its sender");
    const heir = predecessor && (await deps.calls.ping(predecessor)) ? predecessor : null;
    const live: NodeRef[] = [];
    for (const node of successors) {
      if (node.addr === deps.self.addr) break;
      if (await deps.calls.ping(node)) {
        live.push(node);
        break; // the first live one suffices: stabilize fetches its list
      }
    }
    if (!applyLeave(deps.table, leaving, heir, live)) return;
    deps.changed();
    deps.stabilizeSoon();
  }

  /** A joiner asks for itself only, and proves that it listens at the address it names first. */
  async acceptJoin(node: NodeRef, peer: PeerIdentity): Promise<JoinAnswer> {
    const { deps } = this;
    if (!isSender(node, peer)) throw new RpcReject("chord.join names another node than its sender");
    if (!(await deps.calls.listensAt(node)))
      throw new RpcReject("chord.join: the joiner does not answer at its address with its key");
    return deps.admissions.accept(node);
  }

  private wouldTakeAsPredecessor(node: NodeRef): boolean {
    const { deps } = this;
    if (node.addr === deps.self.addr) return false;
    const predecessor = deps.table.predecessor();
    if (predecessor?.addr === node.addr) return predecessor.key !== node.key;
    return !predecessor || between(predecessor.id, node.id, deps.self.id) || deps.table.isAlone();
  }
}

/** Does the ref name the node at the other end of the link? Its id then follows: both bind key and IP. */
function isSender(node: NodeRef, peer: PeerIdentity): boolean {
  return node.key === peer.key && node.addr === peer.addr && node.id === peer.id;
}
