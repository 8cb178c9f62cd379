/**
 * The soak's actors, each a bounded loop until its stop signal: senders storing through random
 * nodes, mailbox readers acknowledging through random nodes, and the chaos that SIGKILLs one node
 * at a time and starts it again at the same address.
 */
import { encodeBody, type Identity, mailboxAddress, seal, signRetrieve } from "@wisp/lib";
import type { Ledger } from "./ledger";
import { type NodeSlot, sleep } from "./node-slots";

export interface Stop {
  stopped: boolean;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** POST of JSON; null when the node could not be reached or did not answer in time. */
export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<Answer | null> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  } catch {
    return null;
  }
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

function liveSlot(slots: readonly NodeSlot[]): NodeSlot {
  const live = slots.filter((slot) => slot.running);
  return pick(live.length > 0 ? live : slots);
}

export interface Recipient {
  identity: Identity;
  silent: boolean;
}

export interface SenderStats {
  attempts: number;
  refused: number;
  abandoned: number;
}

/**
 * Stores one message after another to random recipients through random nodes. A failed store is
 * retried with the same envelope (same id) a few times, as a client would; then abandoned.
 */
export async function runSender(
  sender: Identity,
  recipients: readonly Recipient[],
  slots: readonly NodeSlot[],
  ledger: Ledger,
  stats: SenderStats,
  stop: Stop,
  pauseMs: number,
): Promise<void> {
  let n = 0;
  while (!stop.stopped) {
    const recipient = pick(recipients);
    const body = encodeBody({ type: "text", text: `soak ${n++}`, sentAt: Date.now() });
    const envelope = seal(sender, recipient.identity.publicKey, body);
    for (let attempt = 0; attempt < 5; attempt++) {
      stats.attempts++;
      const via = liveSlot(slots);
      const answer = await postJson(`${via.apiUrl}/v1/store`, envelope, 10_000);
      if (answer?.status === 201 || answer?.status === 200) {
        ledger.accept({
          id: envelope.id,
          silent: recipient.silent,
          expiresAt: answer.body.expiresAt as number,
          status: answer.status,
          acceptedAt: Date.now(),
          via: via.addr,
          to: envelope.to,
          nackTo: envelope.nackTo,
        });
        break;
      }
      stats.refused++;
      if (attempt === 4) stats.abandoned++;
      await sleep(answer?.status === 429 ? 1_000 : 200);
    }
    await sleep(pauseMs);
  }
}

export interface ReaderStats {
  polls: number;
  failedPolls: number;
}

/**
 * Reads one mailbox through random nodes with a short long-poll, and acknowledges what it saw
 * in its next request: messages count as deliveries, NACKs as NACKs. Acknowledgements stay
 * pending until a 200 answers them.
 */
export async function runReader(
  who: Identity,
  slots: readonly NodeSlot[],
  ledger: Ledger,
  stats: ReaderStats,
  stop: Stop,
): Promise<void> {
  const mailbox = mailboxAddress(who.publicKey);
  let pending = new Set<string>();
  let drains = 0;
  while (!stop.stopped || (pending.size > 0 && drains++ < 50)) {
    const ack = [...pending].slice(0, 256);
    const request = signRetrieve(who, Date.now(), ack, stop.stopped ? 0 : 1_000);
    stats.polls++;
    const answer = await postJson(`${liveSlot(slots).apiUrl}/v1/retrieve`, request, 15_000);
    if (answer?.status !== 200) {
      stats.failedPolls++;
      await sleep(answer?.status === 429 ? 1_000 : 200);
      continue;
    }
    const now = Date.now();
    ledger.deliveries.acknowledged(ack, now);
    ledger.nacks.acknowledged(ack, now);
    pending = new Set([...pending].filter((id) => !ack.includes(id)));
    const messages = (answer.body.messages ?? []) as { id: string; to: string }[];
    const nacks = (answer.body.nacks ?? []) as { id: string; to: string; expiredAt: number }[];
    for (const message of messages) {
      ledger.sawMessage(mailbox, message);
      pending.add(message.id);
    }
    for (const nack of nacks) {
      ledger.sawNack(mailbox, nack);
      pending.add(nack.id);
    }
  }
}

export interface ChaosEvent {
  at: number;
  addr: string;
  bootstrap: string;
  downMs: number;
}

/**
 * Every everyMs: SIGKILL one random running node, start it again at the same address through
 * another running node, and wait until it listens. One node is down at a time (≤ replicas − 1).
 */
export async function runChaos(
  slots: readonly NodeSlot[],
  stop: Stop,
  everyMs: number,
  events: ChaosEvent[],
): Promise<void> {
  const started = Date.now();
  while (!stop.stopped) {
    await sleep(everyMs);
    if (stop.stopped) return;
    const victim = pick(slots.filter((slot) => slot.running));
    const bootstrap = pick(slots.filter((slot) => slot !== victim && slot.running));
    const down = Date.now();
    await victim.kill();
    await sleep(300);
    await victim.start(bootstrap.addr);
    events.push({
      at: down - started,
      addr: victim.addr,
      bootstrap: bootstrap.addr,
      downMs: Date.now() - down,
    });
  }
}
