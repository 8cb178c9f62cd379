/** POST /v1/store and POST /v1/retrieve: rate limit, bounded body, validation, then the mailbox service. */
import {
  fromB64u,
  mailboxAddress,
  RETRIEVE_WINDOW_MS,
  validateEnvelope,
  validateRetrieveRequest,
  verifyRetrieveAsync,
} from "@wisp/lib";
import { parseJsonBody, readBodyLimited } from "./body";
import type { ApiDeps, RequestContext } from "./context";
import { ApiError } from "./errors";
import type { ApiOptions } from "./options";
import type { RateLimiter } from "./rate-limit";
import { json } from "./respond";

export interface MessagingScope {
  deps: ApiDeps;
  options: ApiOptions;
  limiter: RateLimiter;
}

export async function handleStore(request: Request, context: RequestContext, scope: MessagingScope) {
  rateLimit(scope.limiter, context.clientAddr);
  const value = parseJsonBody(
    await readBodyLimited(request, scope.options.maxStoreBytes),
    scope.options.maxJsonDepth,
  );
  const checked = validateEnvelope(value);
  if (!checked.ok) throw new ApiError(checked.code, checked.message);
  const outcome = await scope.deps.mailboxes.store(checked.value);
  return json({ id: checked.value.id, expiresAt: outcome.expiresAt }, outcome.created ? 201 : 200);
}

export async function handleRetrieve(request: Request, context: RequestContext, scope: MessagingScope) {
  rateLimit(scope.limiter, context.clientAddr);
  const { deps, options } = scope;
  const value = parseJsonBody(await readBodyLimited(request, options.maxRetrieveBytes), options.maxJsonDepth);
  const checked = validateRetrieveRequest(value);
  if (!checked.ok) throw new ApiError(checked.code, checked.message);
  const retrieve = checked.value;
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
  const pk = fromB64u(retrieve.pk);
  if (!pk) throw new ApiError("bad_request", `"pk" is not base64url`);
  const answer = await deps.mailboxes.retrieve(mailboxAddress(pk, deps.crypto), retrieve.ack, {
    waitMs: retrieve.wait,
    signal: request.signal,
  });
  return json(answer, 200);
}

function rateLimit(limiter: RateLimiter, client: string): void {
  const taken = limiter.take(client);
  if (taken.ok) return;
  const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
  throw new ApiError("rate_limited", `too many requests from ${client}; retry in ${seconds} s`, 429, {
    "retry-after": String(seconds),
  });
}
