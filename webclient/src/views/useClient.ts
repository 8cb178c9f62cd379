import { useEffect, useState } from "preact/hooks";
import type { WispClient } from "../client";

/** Re-renders whenever the client's state or connection changes. */
export function useClient(client: WispClient): void {
  const [, setVersion] = useState(0);
  useEffect(() => client.subscribe(() => setVersion((n) => n + 1)), [client]);
}
