/** The CLI's view of a failed node call: an exception carrying the code, so run.ts picks the exit code. */
import type { NodeResult } from "@wisp/lib";

export class NodeError extends Error {
  override name = "NodeError";
  constructor(
    /** A PROTOCOL.md error code, or "network" / "bad_response" / "http" (lib's NodeClient). */
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

export function unwrap<T>(result: NodeResult<T>): T {
  if (result.ok) return result.value;
  const { code, status, message } = result.error;
  if (status === 0) throw new NodeError(code, message);
  throw new NodeError(code, `the node refused (${status} ${code}): ${message}`, status);
}
