/** The bell in a chat's header: mutes that chat's notifications. */

import type { Notifier } from "../notifier";
import { BellIcon, BellOffIcon } from "./Icons";
import { useServices } from "./services";
import { useSource } from "./useSource";

export function MuteButton({ peer }: { peer: string }) {
  const services = useServices();
  if (!services) return null;
  return <Bell notifier={services.notifier} peer={peer} />;
}

function Bell({ notifier, peer }: { notifier: Notifier; peer: string }) {
  useSource(notifier);
  const muted = notifier.isMuted(peer);
  return (
    <button
      type="button"
      class="icon-button"
      aria-label={muted ? "Unmute this chat" : "Mute this chat"}
      aria-pressed={muted}
      title={muted ? "Muted: no notifications" : "Mute notifications"}
      onClick={() => void notifier.setMuted(peer, !muted)}
    >
      {muted ? <BellOffIcon /> : <BellIcon />}
    </button>
  );
}
