/** Message bodies: the UTF-8 JSON a client seals (PROTOCOL.md, version 1 body types). */
import { fromUtf8, utf8 } from "./bytes";

/** A decoded body. Types this version does not know become `unknown`, which clients ignore. */
export type Body =
  | { type: "text"; text: string; sentAt: number }
  | { type: "receipt"; ids: string[] }
  | { type: "unknown"; raw: unknown };

/** UTF-8 JSON of a body, keys in the order PROTOCOL.md writes them. An `unknown` body encodes its `raw` value. */
export function encodeBody(body: Body): Uint8Array {
  switch (body.type) {
    case "text":
      return utf8(JSON.stringify({ type: "text", text: body.text, sentAt: body.sentAt }));
    case "receipt":
      return utf8(JSON.stringify({ type: "receipt", ids: body.ids }));
    case "unknown":
      return utf8(JSON.stringify(body.raw));
  }
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
  const o = raw as Record<string, unknown>;
  if (
    o.type === "text" &&
    typeof o.text === "string" &&
    typeof o.sentAt === "number" &&
    Number.isFinite(o.sentAt)
  )
    return { type: "text", text: o.text, sentAt: o.sentAt };
  if (o.type === "receipt" && Array.isArray(o.ids) && o.ids.every((id) => typeof id === "string"))
    return { type: "receipt", ids: [...o.ids] };
  return { type: "unknown", raw };
}
