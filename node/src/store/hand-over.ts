/**
 * A node joins as this node's predecessor (issue 16): before Chord tells it that it is a member,
 * it gets the entries and tombstones of its keys, (from, to], so it owns its range with its
 * entries from its first moment. This node keeps its copies: it is the joiner's first replica now.
 */
import type { RingId } from "@wisp/lib";
import { ServiceError } from "./mailboxes";
import type { MailboxDeps } from "./options";
import type { Peers } from "./peers";

export async function handOverRange(
  deps: MailboxDeps,
  peers: Peers,
  joiner: string,
  from: RingId,
  to: RingId,
): Promise<void> {
  const held = deps.store.inRange(from, to);
  if (held.entries.length + held.tombstones.length === 0) return;
  const result = await peers.sync(joiner, held.entries, held.tombstones);
  if (!result) throw new ServiceError("unavailable", `the hand-over to the joining node ${joiner} failed`);
}
