/** My address: QR code, the text itself, and a copy button. */
import { useState } from "preact/hooks";
import { CopyIcon } from "./Icons";
import { Qr } from "./Qr";

export function AddressCard({ address }: { address: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(address);
    } catch {
      // Without clipboard permission the address is still selectable by hand.
      selectText(address);
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <div class="address-card">
      <Qr text={address} />
      <label class="address-label" for="my-address">
        Your address
      </label>
      <div class="address-row">
        <input
          id="my-address"
          class="address"
          readOnly
          value={address}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="icon-button copy" aria-label="Copy your address" onClick={copy}>
          <CopyIcon size={20} />
        </button>
      </div>
      <span class="copied" role="status">
        {copied ? "Copied" : ""}
      </span>
    </div>
  );
}

function selectText(address: string) {
  const input = document.getElementById("my-address");
  if (input instanceof HTMLInputElement && input.value === address) input.select();
}
