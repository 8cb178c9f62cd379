/** The reload prompt of a new version (updates.tsx). */
import "../reach.css";

interface Props {
  onReload: () => void;
  onLater: () => void;
}

export function UpdateBanner({ onReload, onLater }: Props) {
  return (
    <div class="float-banner float-banner-bottom" role="status">
      <p class="float-banner-title">A new version of Wisp is ready.</p>
      <div class="button-row">
        <button type="button" class="primary" onClick={onReload}>
          Reload
        </button>
        <button type="button" class="secondary" onClick={onLater}>
          Later
        </button>
      </div>
    </div>
  );
}
