/** The store's Prometheus series. Every counter is a no-op when the node runs without metrics. */
import type { Counter, Metrics } from "../metrics";
import type { EntryStore } from "./entry";

const NONE: Counter = { inc: () => {} };

export class StoreMetrics {
  private storedCreated = NONE;
  private storedDuplicate = NONE;
  private retrieves = NONE;

  constructor(
    private metrics: Metrics | undefined,
    store: EntryStore,
    parkedRetrieves: () => number,
  ) {
    if (!metrics) return;
    metrics.counter("wisp_store_stores_total", "Store requests answered, by result (created, duplicate)");
    metrics.counter("wisp_store_retrieves_total", "Retrieve requests answered");
    metrics.counter("wisp_store_nacks_sent_total", "NACKs stored for messages that expired unacknowledged");
    metrics.counter("wisp_store_replicas_repaired_total", "Entry copies created by the repair round");
    metrics.counter("wisp_store_errors_total", "Store and retrieve failures, by error code");
    metrics.gauge("wisp_store_entries", "Mailbox entries held by this node, replicas included", () =>
      store.count(),
    );
    metrics.gauge("wisp_store_bytes", "Bytes of mailbox entries held by this node", () => store.bytes());
    metrics.gauge(
      "wisp_store_long_polls",
      "Long-poll retrieves parked at this node as their mailbox's owner",
      parkedRetrieves,
    );
    this.storedCreated = metrics.counterOf("wisp_store_stores_total", { result: "created" });
    this.storedDuplicate = metrics.counterOf("wisp_store_stores_total", { result: "duplicate" });
    this.retrieves = metrics.counterOf("wisp_store_retrieves_total");
  }

  stored(created: boolean): void {
    (created ? this.storedCreated : this.storedDuplicate).inc();
  }

  retrieved(): void {
    this.retrieves.inc();
  }

  nackSent(): void {
    this.metrics?.inc("wisp_store_nacks_sent_total");
  }

  repaired(copies: number): void {
    if (copies > 0) this.metrics?.inc("wisp_store_replicas_repaired_total", {}, copies);
  }

  error(code: string): void {
    this.metrics?.inc("wisp_store_errors_total", { code });
  }
}
