/**
 * Message bodies: the UTF-8 JSON a client seals (PROTOCOL.md's version 1 types and Wisp's own,
 * docs/protocol.md "Message bodies"). Decoding is validation: a known type with a field out of its
 * limits becomes `unknown`, which clients ignore.
 */
import { b64uByteLength, fromUtf8, utf8 } from "./bytes";
import { type SignedGroupState, validSignedShape } from "./group";

/** What a reply quotes: the message's id and the start of its text. */
export interface ReplyRef {
  id: string;
  snippet: string;
}

/**
 * Where a group message belongs: the group's id and the message's own id, the same for every
 * member; `head` is the hash of the sender's head state, so a member who has newer states can
 * send them (docs/protocol.md, "Groups").
 */
export interface GroupRef {
  group: string;
  mid: string;
  head?: string;
}

export type TextBody = { type: "text"; text: string; sentAt: number; reply?: ReplyRef } & Partial<GroupRef>;

/** A decoded body. Types this version does not know become `unknown`, which clients ignore. */
export type Body =
  | TextBody
  | { type: "receipt"; ids: string[] }
  | { type: "read"; ids: string[] }
  | { type: "profile"; name: string; avatar?: string; updatedAt: number }
  | ({ type: "reaction"; id: string; emoji: string; sentAt: number } & { group?: string })
  | ({ type: "delete"; ids: string[]; sentAt: number } & { group?: string })
  | { type: "group"; gid: string; changes: SignedGroupState[] }
  | { type: "unknown"; raw: unknown };

export const BODY_LIMITS = {
  /** Ids per receipt, read receipt or delete (the retrieve's ack limit). */
  ids: 256,
  snippetChars: 160,
  nameChars: 64,
  /** A data: URL of a small JPEG, PNG or WebP picture (64×64 fits easily). */
  avatarChars: 16_000,
  /** Enough for any emoji sequence (a family with skin tones is 11 UTF-16 units); "" removes. */
  emojiChars: 32,
  /** Signed group states in one `group` body: the whole history for a new member. */
  groupChanges: 256,
} as const;

const AVATAR_PREFIX = /^data:image\/(jpeg|png|webp);base64,[A-Za-z0-9+/=]+$/;

/** UTF-8 JSON of a body, keys in the order docs/protocol.md writes them. An `unknown` body encodes its `raw` value. */
export function encodeBody(body: Body): Uint8Array {
  return utf8(JSON.stringify(body.type === "unknown" ? body.raw : body));
}

/**
 * Decodes an opened body. Null for bytes that are not UTF-8 JSON; a known type with the wrong
 * fields, or any other JSON, becomes `{ type: "unknown", raw }`. Never throws.
 */
export function decodeBody(bytes: Uint8Array): Body | null {
  const text = fromUtf8(bytes);
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { type: "unknown", raw };
  return decodeObject(raw as Record<string, unknown>) ?? { type: "unknown", raw };
}

function decodeObject(o: Record<string, unknown>): Body | null {
  switch (o.type) {
    case "text":
      return decodeText(o);
    case "receipt":
    case "read":
      return isIdList(o.ids) ? { type: o.type, ids: [...o.ids] } : null;
    case "profile":
      return decodeProfile(o);
    case "reaction": {
      if (!isId(o.id) || !isTime(o.sentAt) || !isString(o.emoji, BODY_LIMITS.emojiChars)) return null;
      if (o.group !== undefined && !isId(o.group)) return null;
      const body: Body = { type: "reaction", id: o.id, emoji: o.emoji, sentAt: o.sentAt };
      return o.group === undefined ? body : { ...body, group: o.group as string };
    }
    case "delete": {
      if (!isIdList(o.ids) || !isTime(o.sentAt)) return null;
      if (o.group !== undefined && !isId(o.group)) return null;
      const body: Body = { type: "delete", ids: [...o.ids], sentAt: o.sentAt };
      return o.group === undefined ? body : { ...body, group: o.group as string };
    }
    case "group": {
      if (!isId(o.gid) || !Array.isArray(o.changes)) return null;
      if (o.changes.length === 0 || o.changes.length > BODY_LIMITS.groupChanges) return null;
      if (!o.changes.every(validSignedShape)) return null;
      const changes = o.changes.map((c: SignedGroupState) => ({ state: c.state, sig: c.sig }));
      return { type: "group", gid: o.gid, changes };
    }
    default:
      return null;
  }
}

function decodeText(o: Record<string, unknown>): Body | null {
  if (typeof o.text !== "string" || !isTime(o.sentAt)) return null;
  const body: TextBody = { type: "text", text: o.text, sentAt: o.sentAt };
  if (o.reply !== undefined) {
    const r = o.reply as Record<string, unknown> | null;
    if (typeof r !== "object" || r === null || !isId(r.id)) return null;
    if (!isString(r.snippet, BODY_LIMITS.snippetChars)) return null;
    body.reply = { id: r.id, snippet: r.snippet };
  }
  if (o.group !== undefined || o.mid !== undefined) {
    if (!isId(o.group) || !isId(o.mid)) return null;
    body.group = o.group;
    body.mid = o.mid;
    if (o.head !== undefined) {
      if (typeof o.head !== "string" || b64uByteLength(o.head) !== 32) return null;
      body.head = o.head;
    }
  }
  return body;
}

function decodeProfile(o: Record<string, unknown>): Body | null {
  if (!isString(o.name, BODY_LIMITS.nameChars) || !isTime(o.updatedAt)) return null;
  if (o.avatar === undefined) return { type: "profile", name: o.name, updatedAt: o.updatedAt };
  if (!isString(o.avatar, BODY_LIMITS.avatarChars) || !AVATAR_PREFIX.test(o.avatar)) return null;
  return { type: "profile", name: o.name, avatar: o.avatar, updatedAt: o.updatedAt };
}

/** A message or group id: 16 bytes as b64u (22 characters). */
export function isId(value: unknown): value is string {
  return typeof value === "string" && value.length === 22 && b64uByteLength(value) === 16;
}

function isIdList(value: unknown): value is string[] {
  return (
    Array.isArray(value) && value.length <= BODY_LIMITS.ids && value.every((id) => typeof id === "string")
  );
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isString(value: unknown, maxChars: number): value is string {
  return typeof value === "string" && value.length <= maxChars;
}
