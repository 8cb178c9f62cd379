/** The right pane when no chat is open: who I am, how others reach me. */
import { AddressCard } from "./AddressCard";
import { LockIcon } from "./Icons";

export function Welcome({
  address,
  firstStart,
  onNewChat,
}: {
  address: string;
  firstStart: boolean;
  onNewChat: () => void;
}) {
  return (
    <section class="welcome" aria-label="Welcome">
      <h1>{firstStart ? "Welcome to Wisp" : "Wisp"}</h1>
      <p class="lead">
        {firstStart
          ? "Your identity was created in this browser. Share your address so people can write to you."
          : "Share your address so people can write to you, or pick a chat on the left."}
      </p>
      <AddressCard address={address} />
      <button type="button" class="primary" onClick={onNewChat}>
        Start a new chat
      </button>
      <p class="foot">
        <LockIcon size={12} /> End-to-end encrypted. No account, no central server.
      </p>
    </section>
  );
}
