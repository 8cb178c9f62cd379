/**
 * What the browser row runs inside each page before the app (playwright's addInitScript): it
 * notes, on one time base shared by both pages (performance.timeOrigin + performance.now()),
 * when Enter went down in the composer, when a bubble entered the DOM (a MutationObserver),
 * when its ticks turned to two, the frame after that, and every User Timing span the app emits.
 * The function is serialized into the page, so it uses nothing from outside itself.
 */
export interface ProbeSpan {
  name: string;
  start: number;
  end: number;
  detail: Record<string, unknown> | null;
}

export interface ProbeRecord {
  enter: Record<string, number>;
  shown: Record<string, number>;
  arrived: Record<string, number>;
  delivered: Record<string, number>;
  /** The animation frame after a bubble entered the DOM: the frame that paints it. */
  painted: Record<string, number>;
  idOf: Record<string, string>;
  spans: ProbeSpan[];
  longTasks: { start: number; duration: number }[];
}

export function installProbe(): void {
  const at = (t: number) => performance.timeOrigin + t;
  const record: ProbeRecord = {
    enter: {},
    shown: {},
    arrived: {},
    delivered: {},
    painted: {},
    idOf: {},
    spans: [],
    longTasks: [],
  };
  const waiters = new Map<string, () => void>();
  (window as unknown as { __probe: unknown }).__probe = {
    record,
    /** Resolves when the bubble with this text shows two ticks. */
    delivered(text: string): Promise<void> {
      if (record.delivered[text] !== undefined) return Promise.resolve();
      return new Promise((resolve) => waiters.set(`delivered:${text}`, resolve));
    },
    arrived(text: string): Promise<void> {
      if (record.arrived[text] !== undefined) return Promise.resolve();
      return new Promise((resolve) => waiters.set(`arrived:${text}`, resolve));
    },
    take(): ProbeRecord {
      const copy = JSON.parse(JSON.stringify(record)) as ProbeRecord;
      for (const key of ["enter", "shown", "arrived", "delivered", "painted", "idOf"] as const)
        record[key] = {};
      record.spans = [];
      record.longTasks = [];
      return copy;
    },
  };
  const wake = (key: string) => {
    waiters.get(key)?.();
    waiters.delete(key);
  };

  document.addEventListener(
    "keydown",
    (event) => {
      const target = event.target as HTMLTextAreaElement | null;
      if (event.key !== "Enter" || event.shiftKey || target?.id !== "composer-text") return;
      record.enter[target.value] = at(event.timeStamp);
    },
    true,
  );

  const noteBubble = (bubble: Element, now: number) => {
    const text = bubble.querySelector(".text")?.textContent ?? "";
    const out = bubble.parentElement?.classList.contains("out") ?? false;
    record.idOf[text] = bubble.getAttribute("data-id") ?? "";
    const seen = out ? record.shown : record.arrived;
    if (seen[text] === undefined) {
      seen[text] = now;
      requestAnimationFrame(() => {
        record.painted[text] = at(performance.now());
      });
      if (!out) wake(`arrived:${text}`);
    }
    // Two ticks: grey, or blue straight away when the recipient has the chat open (read receipts).
    const status = bubble.getAttribute("data-status");
    if (out && (status === "delivered" || status === "read") && record.delivered[text] === undefined) {
      record.delivered[text] = now;
      wake(`delivered:${text}`);
    }
  };

  new MutationObserver((mutations) => {
    const now = at(performance.now());
    for (const mutation of mutations) {
      if (mutation.type === "attributes") {
        if (mutation.target instanceof Element) noteBubble(mutation.target, now);
        continue;
      }
      for (const node of Array.from(mutation.addedNodes)) {
        if (!(node instanceof Element)) continue;
        if (node.classList.contains("bubble")) noteBubble(node, now);
        for (const bubble of Array.from(node.querySelectorAll(".bubble"))) noteBubble(bubble, now);
      }
    }
  }).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-status"],
  });

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.name.startsWith("wisp:")) continue;
      const detail = (entry as PerformanceMeasure).detail as Record<string, unknown> | null;
      record.spans.push({
        name: entry.name,
        start: at(entry.startTime),
        end: at(entry.startTime + entry.duration),
        detail,
      });
    }
  }).observe({ type: "measure", buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      record.longTasks.push({ start: at(entry.startTime), duration: entry.duration });
  }).observe({ type: "longtask" });
}
