/** A `?node=` link proposes a node; it is used only once the user says so. */
import "../reach.css";

interface Props {
  url: string;
  onUse: () => void;
  onIgnore: () => void;
}

export function ProposedNode({ url, onUse, onIgnore }: Props) {
  return (
    <div
      class="float-banner"
      role="alertdialog"
      aria-labelledby="proposed-title"
      aria-describedby="proposed-text"
    >
      <p id="proposed-title" class="float-banner-title">
        Use the node in this link?
      </p>
      <p id="proposed-text" class="float-banner-text">
        The link asks Wisp to use <code>{url}</code>. A node cannot read your messages, but it sees when you
        fetch them. Use it only if you trust whoever sent the link.
      </p>
      <div class="button-row">
        <button type="button" class="primary" onClick={onUse}>
          Use this node
        </button>
        <button type="button" class="secondary" onClick={onIgnore}>
          Keep my nodes
        </button>
      </div>
    </div>
  );
}
