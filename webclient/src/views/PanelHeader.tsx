import { useEffect } from "preact/hooks";
import { BackIcon } from "./Icons";

/** The green header of a side panel, with its way back to the chats (also Escape). */
export function PanelHeader({ title, onClose }: { title: string; onClose: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <header class="panel-header">
      <button type="button" class="icon-button" aria-label="Back to chats" onClick={onClose}>
        <BackIcon />
      </button>
      <h2>{title}</h2>
    </header>
  );
}
