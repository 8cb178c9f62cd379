/** "Reconnect now" in the offline banner: probes every known node at once instead of waiting. */
import { useState } from "preact/hooks";
import "../reach.css";
import { useServices } from "./services";

export function ReconnectButton() {
  const services = useServices();
  const [busy, setBusy] = useState(false);
  if (!services) return null;
  const reconnect = async () => {
    setBusy(true);
    await services.reconnect();
    setBusy(false);
  };
  return (
    <button type="button" class="link-button" onClick={reconnect} disabled={busy}>
      {busy ? "Reconnecting…" : "Reconnect now"}
    </button>
  );
}
