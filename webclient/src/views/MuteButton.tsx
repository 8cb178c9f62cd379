/** The bell in a chat's header: mutes that chat's notifications. */
import { BellIcon, BellOffIcon } from "./Icons";
import { useNotifier } from "./notifier-context";
import { useSource } from "./useSource";

export function MuteButton({ peer }: { peer: string }) {
  const notifier = useNotifier();
  if (!notifier) return null;
  return <Bell notifier={notifier} peer={peer} />;
}

function Bell({ notifier, peer }: { notifier: NonNullable<ReturnType<typeof useNotifier>>; peer: string }) {
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
