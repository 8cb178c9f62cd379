/** The delivery mark of a message I sent: clock, one tick, two ticks, or the red failure mark. */
import type { DeliveryStatus } from "../state";
import { ClockMark, FailedMark, TickMark } from "./Icons";

export const STATUS_LABEL: Record<DeliveryStatus, string> = {
  sending: "Sending",
  stored: "Stored on a node",
  delivered: "Delivered",
  read: "Read",
  failed: "Not delivered",
};

export function StatusMark({ status }: { status: DeliveryStatus | undefined }) {
  if (!status) return null;
  return (
    <span
      class={`status status-${status}`}
      data-status={status}
      role="img"
      aria-label={STATUS_LABEL[status]}
      title={STATUS_LABEL[status]}
    >
      {status === "sending" && <ClockMark />}
      {status === "stored" && <TickMark double={false} />}
      {(status === "delivered" || status === "read") && <TickMark double={true} />}
      {status === "failed" && <FailedMark />}
    </span>
  );
}
