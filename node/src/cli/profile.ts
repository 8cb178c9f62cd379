/**
 * My display name goes to whoever I write to and does not have its current version yet, as the
 * web app does (docs/protocol.md, "profile"): a contact or group member who met me after I named
 * myself still learns my name with my first message.
 */
import type { Identity } from "@wisp/lib";
import type { CliState } from "./cli-state";
import type { CliContext } from "./commands";
import { sendBody } from "./send";

/** Sends my profile to those of `to` who lack its current version; answers whether state changed. */
export async function sendProfileDue(
  ctx: CliContext,
  identity: Identity,
  state: CliState,
  to: readonly string[],
): Promise<boolean> {
  const profile = state.profile;
  if (!profile) return false;
  const sent = state.profileSentAt ?? {};
  const due = [...new Set(to)].filter((a) => a !== identity.address && (sent[a] ?? -1) < profile.updatedAt);
  if (due.length === 0) return false;
  await sendBody(ctx, identity, due, { type: "profile", ...profile });
  state.profileSentAt = { ...sent, ...Object.fromEntries(due.map((a) => [a, profile.updatedAt])) };
  return true;
}
