/** POST /v1/store and POST /v1/retrieve: rate limit, bounded body, validation, then the mailbox service. */
import {
  fromB64u,
  mailboxAddress,
  publicKeyProblem,
  RETRIEVE_WINDOW_MS,
  validateEnvelope,
  validateRetrieveRequest,
  verifyRetrieveAsync,
} from "@wisp/lib";
import type { LruMap } from "../lru";
import { checkedEnvelope } from "../store/checked-envelope";
import { parseJsonBody, readBodyLimited } from "./body";
import { clientGroup, type TrustedProxies } from "./client-address";
import type { ApiDeps, RequestContext } from "./context";
import { ApiError } from "./errors";
import type { ApiAnswer, ApiRequest } from "./exchange";
import type { ApiOptions } from "./options";
import type { RateLimiter } from "./rate-limit";
import { json, jsonText } from "./respond";

interface MessagingScope {
  deps: ApiDeps;
  options: ApiOptions;
  /** Per client IP group. */
  limiter: RateLimiter;
  /** Per mailbox: stores to it, and (keyed apart) its owner's retrieves; loopback clients do not count. */
  mailboxLimiter: RateLimiter;
  proxies: TrustedProxies;
  /** A client polls its one mailbox again and again: its address is hashed once, not per retrieve. */
  mailboxOfKey: LruMap<string, string>;
  /** A keep-alive client sends many requests from one socket address: its group is parsed once. */
  socketGroups: LruMap<string, string | null>;
}

export async function handleStore(
  request: ApiRequest,
  context: RequestContext,
  scope: MessagingScope,
): Promise<ApiAnswer> {
  const { client, refused } = admitClient(request, context, scope);
  const value = parseJsonBody(
    readBodyLimited(request, scope.options.maxStoreBytes),
    scope.options.maxJsonDepth,
  );
  const checked = validateEnvelope(value);
  if (!checked.ok) throw new ApiError(checked.code, checked.message);
  const envelope = checkedEnvelope(checked.value);
  if (client !== null) rateLimit(scope.mailboxLimiter, `store ${envelope.to}`, "to this mailbox", refused);
  const outcome = await scope.deps.mailboxes.store(envelope, client);
  return storeAnswer(envelope.id, outcome.expiresAt, outcome.created ? 201 : 200);
}

/** The client's limit group (null: exempt), after its per-client rate limit. */
function admitClient(request: ApiRequest, context: RequestContext, scope: MessagingScope) {
  const client = clientOf(request, context, scope);
  const refused = refusalOf(scope, client ?? context.clientAddr);
  if (client !== null) rateLimit(scope.limiter, client, `from ${client}`, refused);
  return { client, refused };
}

/** `json({ id, expiresAt }, status)`, put together: a checked id is base64url, which JSON never escapes. */
function storeAnswer(id: string, expiresAt: number, status: number): ApiAnswer {
  return jsonText(`{"id":"${id}","expiresAt":${JSON.stringify(expiresAt)}}`, status);
}

export async function handleRetrieve(
  request: ApiRequest,
  context: RequestContext,
  scope: MessagingScope,
): Promise<ApiAnswer> {
  const { client, refused } = admitClient(request, context, scope);
  const { deps, options } = scope;
  const value = parseJsonBody(readBodyLimited(request, options.maxRetrieveBytes), options.maxJsonDepth);
  const checked = validateRetrieveRequest(value);
  if (!checked.ok) throw new ApiError(checked.code, checked.message);
  const retrieve = checked.value;
  const mailbox = mailboxOfKey(retrieve.pk, scope);
  const skew = deps.clock.now() - retrieve.ts;
  if (Math.abs(skew) > RETRIEVE_WINDOW_MS) {
    throw new ApiError(
      "unauthorized",
      `"ts" is ${skew} ms off this node's clock; at most ±${RETRIEVE_WINDOW_MS} allowed`,
    );
  }
  if (!(await verifyRetrieveAsync(retrieve, deps.crypto))) {
    throw new ApiError("unauthorized", `"sig" does not verify for this pk, ts and ack list`);
  }
  // After the signature: only the owner (or a replay of the owner's request) spends this bucket.
  if (client !== null) rateLimit(scope.mailboxLimiter, `retrieve ${mailbox}`, "for this mailbox", refused);
  // Only a long-poll waits for anything the client's leaving should cut short; a retrieve without
  // a wait is over before its signal (an AbortController per request) would matter.
  const proof = { pk: retrieve.pk, ts: retrieve.ts, ack: retrieve.ack, sig: retrieve.sig };
  const answer = await deps.mailboxes.retrieve(mailbox, proof, {
    waitMs: retrieve.wait,
    signal: retrieve.wait > 0 ? request.signal : undefined,
  });
  if (answer.messages.length === 0 && answer.nacks.length === 0 && !answer.more) return EMPTY_ANSWER;
  return json(answer, 200);
}

const EMPTY_ANSWER = json({ messages: [], nacks: [], more: false }, 200);

function mailboxOfKey(pkText: string, scope: MessagingScope): string {
  const cached = scope.mailboxOfKey.get(pkText);
  if (cached !== undefined) return cached;
  const pk = fromB64u(pkText);
  if (!pk) throw new ApiError("bad_request", `"pk" is not base64url`);
  // PROTOCOL.md: anyone can sign for a key of small order, or one that is no point at all.
  const problem = publicKeyProblem(pk);
  if (problem) throw new ApiError("bad_request", `"pk" ${problem}`);
  const mailbox = mailboxAddress(pk, scope.deps.crypto);
  scope.mailboxOfKey.set(pkText, mailbox);
  return mailbox;
}

/** The client's IP group, or null for loopback, which has no per-IP limits (PROTOCOL.md). */
function clientOf(request: ApiRequest, context: RequestContext, scope: MessagingScope): string | null {
  const forwardedFor = request.header("x-forwarded-for");
  if (forwardedFor !== null && scope.proxies.size > 0)
    return clientGroup(context.clientAddr, forwardedFor, scope.proxies);
  const known = scope.socketGroups.get(context.clientAddr);
  if (known !== undefined) return known;
  const group = clientGroup(context.clientAddr, null, scope.proxies);
  scope.socketGroups.set(context.clientAddr, group);
  return group;
}

/** Reports a refusal of this client's request (metrics.ts, Refusals), when the node counts them. */
function refusalOf(scope: MessagingScope, client: string): (cause: "rate_limited", detail: string) => void {
  return (cause, detail) => scope.deps.refuse?.(cause, `client ${client}`, detail);
}

function rateLimit(
  limiter: RateLimiter,
  key: string,
  whose: string,
  refused: (cause: "rate_limited", detail: string) => void,
): void {
  const taken = limiter.take(key);
  if (taken.ok) return;
  refused("rate_limited", whose);
  const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
  throw new ApiError("rate_limited", `too many requests ${whose}; retry in ${seconds} s`, 429, {
    "retry-after": String(seconds),
  });
}
