/** The four commands of bin/wisp. Output goes through `out`/`err` so tests can read it. */
import {
  generateIdentity,
  type Identity,
  isId,
  type NodeClient,
  parseSharedAddress,
  type ReplyRef,
  signRetrieve,
  toB64u,
} from "@wisp/lib";
import { UsageError } from "./args";
import { load, sendToGroup } from "./group";
import { readIdentityFile, writeIdentityFile } from "./identity-file";
import { pollOnce } from "./poll";
import { sendProfileDue } from "./profile";
import { sendText } from "./send";
import { saveSend } from "./sent-texts";

export interface CliContext {
  identityPath: string;
  client: NodeClient;
  json: boolean;
  now: () => number;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Fires on Ctrl-C; --follow stops at the next answer. */
  signal: AbortSignal;
}

export async function keygen(ctx: CliContext, force: boolean): Promise<void> {
  const identity = generateIdentity();
  await writeIdentityFile(ctx.identityPath, identity, force);
  if (ctx.json) ctx.out(JSON.stringify({ address: identity.address, path: ctx.identityPath }));
  else ctx.out(`${identity.address}\n(identity written to ${ctx.identityPath}; keep it secret)`);
}

export async function whoami(ctx: CliContext): Promise<void> {
  const identity = await readIdentityFile(ctx.identityPath);
  ctx.out(ctx.json ? JSON.stringify({ address: identity.address }) : identity.address);
}

export async function send(ctx: CliContext, positionals: string[], reply?: ReplyRef): Promise<void> {
  if (positionals.length !== 2) throw new UsageError("send expects ADDRESS TEXT (quote the text)");
  const [addressText, text] = positionals;
  if (!text.trim()) throw new UsageError("TEXT is empty; an empty message would show as an empty bubble");
  const { identity, path, state } = await load(ctx);
  if (isId(addressText)) {
    const { members, sent } = await sendToGroup(ctx, identity, state, addressText, text, reply);
    await sendProfileDue(ctx, identity, state, members);
    await saveSend(path, state, sent, ctx.now());
    return;
  }
  const address = parseSharedAddress(addressText);
  if (!address.ok) throw new UsageError(`ADDRESS: ${address.error}`);
  const stored = await sendText(ctx.client, identity, address.publicKey, text, ctx.now(), reply);
  ctx.out(ctx.json ? JSON.stringify(stored) : stored.id);
  const to = toB64u(address.publicKey);
  await sendProfileDue(ctx, identity, state, [to]);
  await saveSend(path, state, [{ id: stored.id, to }], ctx.now());
}

export async function poll(
  ctx: CliContext,
  follow: boolean,
  waitText: string | undefined,
  readReceipts: boolean,
): Promise<void> {
  const wait = parseWait(waitText, follow ? 25_000 : 0);
  const identity: Identity = await readIdentityFile(ctx.identityPath);
  let pending: string[] = [];
  try {
    // Without --follow: keep going while entries come (bounded), so everything shown is acknowledged.
    for (let round = 0; follow || round < 100; round++) {
      if (ctx.signal.aborted) break;
      const result = await pollOnce(
        ctx,
        identity,
        pending,
        pending.length > 0 && !follow ? 0 : wait,
        readReceipts,
      );
      pending = result.ids;
      if (!follow && pending.length === 0 && !result.more) break;
    }
  } finally {
    // Ctrl-C during --follow: what was shown is still acknowledged, so it is not shown twice.
    if (ctx.signal.aborted && pending.length > 0) {
      await ctx.client.retrieve(signRetrieve(identity, ctx.now(), pending, 0)).catch(() => {});
    }
  }
}

function parseWait(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) > 25_000)
    throw new UsageError(`--wait expected 0..25000 ms, got "${text}"`);
  return Number(text);
}
