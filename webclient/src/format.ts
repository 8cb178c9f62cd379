/** Times and days as a chat app shows them, in the browser's locale. */

const DAY_MS = 86_400_000;

export function startOfDay(t: number): number {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

// One formatter each: toLocale*String with options builds a new Intl.DateTimeFormat per call
// (~0.1 ms, a third of a bubble's render in a CPU profile).
// "numeric" hours: 8:27 PM, not 08:27 PM (24-hour locales still write 08:27 by their own rule).
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const WEEKDAY = new Intl.DateTimeFormat(undefined, { weekday: "long" });
const DATE = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "long", day: "numeric" });

export function clockTime(t: number): string {
  return CLOCK.format(t);
}

/** "Today", "Yesterday", a weekday within the week, else the date. */
export function dayLabel(t: number, now: number): string {
  const days = Math.round((startOfDay(now) - startOfDay(t)) / DAY_MS);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days > 1 && days < 7) return WEEKDAY.format(t);
  return DATE.format(t);
}

/** The chat list's time column: the time today, else the day. */
export function listTime(t: number, now: number): string {
  if (startOfDay(t) === startOfDay(now)) return clockTime(t);
  const label = dayLabel(t, now);
  return label.length > 10 ? new Date(t).toLocaleDateString() : label;
}

export function shortAddress(address: string): string {
  return address.length > 16 ? `${address.slice(0, 8)}…${address.slice(-6)}` : address;
}

/** A TTL as people say it: "24 h", "90 min", "5 s". */
export function durationText(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}

/** Splits text into plain runs and http(s) links; nothing else becomes a link. */
export function linkParts(text: string): { text: string; href?: string }[] {
  const out: { text: string; href?: string }[] = [];
  const pattern = /https?:\/\/[^\s<>"]+/gi;
  let last = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    // Trailing punctuation ends a sentence more often than a URL.
    const url = m[0].replace(/[.,;:!?)\]'"]+$/, "");
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    out.push(safeHref(url) ? { text: url, href: url } : { text: url });
    last = m.index + url.length;
    pattern.lastIndex = last;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

function safeHref(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:";
  } catch {
    return false;
  }
}
