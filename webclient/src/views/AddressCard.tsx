/** My address: the text itself, a copy button, a share button and the link with its checksum. */
import { addressFragment } from "@wisp/lib";
import { useState } from "preact/hooks";
import { CopyIcon, ShareIcon } from "./Icons";

/** The link others open: it carries a checksum, so a mistyped address is refused. */
export function shareLink(address: string): string {
  return `${location.origin}${location.pathname}${addressFragment(address)}`;
}

/** `inputId` differs where a second card is on the page (the phone's empty chat list). */
export function AddressCard({ address, inputId = "my-address" }: { address: string; inputId?: string }) {
  const [copied, setCopied] = useState("");
  const link = shareLink(address);
  const copy = async (text: string, what: string) => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Without clipboard permission the address is still selectable by hand.
      selectText(address, inputId);
    }
    setCopied(what);
    setTimeout(() => setCopied(""), 2000);
  };
  const share = async () => {
    try {
      await navigator.share({ url: link });
    } catch (e) {
      // A browser without the share sheet (no navigator.share) or one that refuses it: the link is copied.
      if ((e as Error).name !== "AbortError") await copy(link, "Link copied");
    }
  };
  return (
    <div class="address-card">
      <label class="address-label" for={inputId}>
        Your address
      </label>
      <div class="address-row">
        <input
          id={inputId}
          class="address"
          readOnly
          value={address}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button
          type="button"
          class="icon-button"
          aria-label="Copy your address"
          onClick={() => copy(address, "Address copied")}
        >
          <CopyIcon size={20} />
        </button>
        <button type="button" class="icon-button" aria-label="Share your link" onClick={share}>
          <ShareIcon size={20} />
        </button>
      </div>
      <button type="button" class="link copy-link" onClick={() => copy(link, "Link copied")}>
        Copy link with checksum
      </button>
      <span class="copied" role="status">
        {copied}
      </span>
    </div>
  );
}

function selectText(address: string, inputId: string) {
  const input = document.getElementById(inputId);
  if (input instanceof HTMLInputElement && input.value === address) input.select();
}
