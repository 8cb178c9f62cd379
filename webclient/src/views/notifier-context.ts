import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Notifier } from "../notifier";

/** The notifier, for views deep in the tree (the mute button of a chat); null in tests without one. */
export const NotifierContext = createContext<Notifier | null>(null);

export function useNotifier(): Notifier | null {
  return useContext(NotifierContext);
}
