import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { AppLock } from "../lock";
import type { Notifier } from "../notifier";

/** Services for views deep in the tree (a chat's mute button, Settings' cards); null in tests without them. */
export interface AppServices {
  notifier: Notifier;
  lock: AppLock;
  /** "Reconnect now": probes every known node and retries at once. */
  reconnect: () => Promise<void>;
}

export const ServicesContext = createContext<AppServices | null>(null);

export function useServices(): AppServices | null {
  return useContext(ServicesContext);
}
