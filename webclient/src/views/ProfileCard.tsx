/** My display name and picture, sent to the people I write to; and whether they see that I read. */
import { useState } from "preact/hooks";
import type { WispClient } from "../client";
import { Avatar } from "./Avatar";
import { TextField } from "./TextField";

const AVATAR_PX = 64;

export function ProfileCard({ client }: { client: WispClient }) {
  const profile = client.settings.profile;
  const [name, setName] = useState(profile?.name ?? "");
  const [saved, setSaved] = useState("");
  const [avatar, setAvatar] = useState(profile?.avatar);

  const save = async (e: Event) => {
    e.preventDefault();
    await client.setProfile(name, avatar);
    setSaved("Saved. Your contacts see this name.");
  };

  return (
    <section class="card" aria-labelledby="profile-heading">
      <h3 id="profile-heading">Your name</h3>
      <form class="form" onSubmit={save}>
        <div class="profile-row">
          <Avatar address={client.identity.address} title={name || "Me"} size={56} picture={avatar} />
          <label class="secondary file-button">
            Picture
            <input
              type="file"
              accept="image/*"
              class="visually-hidden"
              onChange={async (e) => {
                const file = e.currentTarget.files?.[0];
                if (file) setAvatar(await shrink(file));
              }}
            />
          </label>
          {avatar && (
            <button type="button" class="link" onClick={() => setAvatar(undefined)}>
              Remove picture
            </button>
          )}
        </div>
        <TextField
          id="profile-name"
          label="Display name"
          value={name}
          maxLength={64}
          placeholder="How others see you"
          onValue={setName}
        />
        <p class="hint">
          Sent, end-to-end encrypted, to the people you write to. They can still name you as they like.
        </p>
        {saved && (
          <p class="hint" role="status">
            {saved}
          </p>
        )}
        <button type="submit" class="primary" disabled={!name.trim()}>
          Save name
        </button>
      </form>
      <label class="toggle">
        <input
          type="checkbox"
          checked={client.settings.readReceipts}
          onChange={(e) => void client.saveSettings({ readReceipts: e.currentTarget.checked })}
        />
        Read receipts: let people see blue ticks when I have read their messages
      </label>
    </section>
  );
}

/** A 64×64 JPEG data URL (a few KB), small enough for a profile body. */
async function shrink(file: File): Promise<string | undefined> {
  const bitmap = await createImageBitmap(file).catch(() => null);
  if (!bitmap) return undefined;
  const canvas = document.createElement("canvas");
  canvas.width = AVATAR_PX;
  canvas.height = AVATAR_PX;
  const side = Math.min(bitmap.width, bitmap.height);
  canvas
    .getContext("2d")
    ?.drawImage(
      bitmap,
      (bitmap.width - side) / 2,
      (bitmap.height - side) / 2,
      side,
      side,
      0,
      0,
      AVATAR_PX,
      AVATAR_PX,
    );
  return canvas.toDataURL("image/jpeg", 0.8);
}
