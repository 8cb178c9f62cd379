/** The text of a property runner's violation: the problems, every member's routing state, the trace. */
import { idToHex } from "@wisp/lib";
import type { SimNodeContext } from "../../src/sim";

export function ringReport(
  where: string,
  problems: readonly string[],
  members: readonly SimNodeContext[],
  trace: readonly string[],
  successorsShown = Number.POSITIVE_INFINITY,
): string {
  return [
    `after ${where}:`,
    ...problems.slice(0, 8).map((p) => `  ${p}`),
    "members in ring order (successors; predecessor):",
    ...members.map((n) => `  ${describeMember(n, successorsShown)}`),
    "trace:",
    ...trace.map((t) => `  ${t}`),
  ].join("\n");
}

function describeMember(node: SimNodeContext, successorsShown: number): string {
  const successors = node.chord
    .successors()
    .slice(0, successorsShown)
    .map((s) => s.addr);
  const predecessor = node.chord.predecessor()?.addr ?? "none";
  return `${node.addr} ${idToHex(node.chord.self.id).slice(0, 6)}: ${successors.join(" ")}; ${predecessor}`;
}
