import { useEffect, useState } from "preact/hooks";

/** Re-renders whenever `source` says it changed (the node pool, the notifier). */
export function useSource(source: { subscribe(listener: () => void): () => void }): void {
  const [, setVersion] = useState(0);
  useEffect(() => source.subscribe(() => setVersion((n) => n + 1)), [source]);
}
