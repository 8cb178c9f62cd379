/** The chat list: contacts and groups, newest activity first, with a search that shows the match. */
import { type ChatState, type Contact, contactTitle, type Message } from "../state";
import { type Group, knownGroups } from "./groups";

export interface ChatSummary {
  /** The contact's address or the group's id. */
  key: string;
  contact?: Contact;
  group?: Group;
  title: string;
  last: Message | null;
  /** The newest message whose text matches the search, when the match is in the text. */
  match?: Message;
  /** Time of the last message, or when the chat was made. */
  activity: number;
  unread: number;
}

/** Case-insensitive search of names, addresses and message text. */
export function chatList(state: ChatState, query = ""): ChatSummary[] {
  const needle = query.trim().toLowerCase();
  const out: ChatSummary[] = [];
  const add = (
    key: string,
    base: Omit<ChatSummary, "last" | "activity" | "key">,
    createdAt: number,
    names: string[],
  ) => {
    const list = state.messages[key] ?? [];
    const last = list.length > 0 ? list[list.length - 1] : null;
    const summary: ChatSummary = { key, ...base, last, activity: last ? last.at : createdAt };
    if (needle && !names.some((n) => n.toLowerCase().includes(needle))) {
      const match = findLast(list, (m) => !m.deleted && m.text.toLowerCase().includes(needle));
      if (!match) return;
      summary.match = match;
    }
    out.push(summary);
  };
  for (const c of Object.values(state.contacts)) {
    // Known only from a group (their profile) and never written to: not a chat of its own.
    if (!c.name && (state.messages[c.address] ?? []).length === 0) continue;
    add(c.address, { contact: c, title: contactTitle(c), unread: c.unread }, c.createdAt, [
      c.name,
      c.profileName ?? "",
      c.address,
    ]);
  }
  for (const g of knownGroups(state))
    add(g.gid, { group: g, title: g.name, unread: g.unread }, g.createdAt, [g.name]);
  return out.sort((a, b) => b.activity - a.activity || a.title.localeCompare(b.title));
}

function findLast(list: Message[], test: (m: Message) => boolean): Message | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i])) return list[i];
  return undefined;
}
