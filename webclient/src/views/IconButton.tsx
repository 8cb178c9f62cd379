/** A button that shows only an icon; its label is what screen readers say and the tooltip shows. */
import type { ComponentChildren } from "preact";

export function IconButton({
  label,
  onClick,
  children,
}: {
  label: string;
  onClick: () => void;
  children: ComponentChildren;
}) {
  return (
    <button type="button" class="icon-button" aria-label={label} title={label} onClick={onClick}>
      {children}
    </button>
  );
}
