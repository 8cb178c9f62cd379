import { useEffect, useState } from "preact/hooks";
import type { WispClient } from "../client";

/** Re-renders whenever the client's state or connection changes. */
export function useClient(client: WispClient): void {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const unsubscribe = client.subscribe(() => setVersion((n) => n + 1));
    // The client polls from before the first render; what it changed until now was told to no one.
    setVersion((n) => n + 1);
    return unsubscribe;
  }, [client]);
}
