/** The one place that turns failures into PROTOCOL.md error answers. The wire carries codes, never stacks. */
import { type ApiErrorBody, type ErrorCode, HTTP_STATUS } from "@wisp/lib";
import { RingUnavailable } from "../chord/ring";
import { ServiceError } from "../store/mailboxes";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Only for answers the code table has no status for (404, 405); defaults to HTTP_STATUS[code]. */
    readonly status: number = HTTP_STATUS[code],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface ErrorAnswer {
  status: number;
  code: ErrorCode;
  body: ApiErrorBody;
  headers: Record<string, string>;
}

/** Maps any thrown value to an answer; unknown failures become `internal` and are reported to `log`. */
export function errorAnswer(error: unknown, log: (message: string) => void = () => {}): ErrorAnswer {
  if (error instanceof ApiError) return answer(error.code, error.message, error.status, error.headers);
  if (error instanceof ServiceError) return answer(error.code, error.message, HTTP_STATUS[error.code] ?? 500);
  if (error instanceof RingUnavailable) {
    return answer("unavailable", `no route in the ring right now: ${error.message}`, 503);
  }
  log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return answer("internal", "the node failed to handle this request", 500);
}

function answer(code: ErrorCode, message: string, status: number, headers: Record<string, string> = {}) {
  return { status, code, body: { error: { code, message } }, headers };
}
