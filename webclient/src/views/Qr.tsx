/** The address as a QR code, drawn as one SVG path so it stays crisp and tiny. */
import { encode } from "uqr";

export function Qr({ text, size = 200 }: { text: string; size?: number }) {
  const qr = encode(text, { ecc: "M", border: 2 });
  let d = "";
  qr.data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    });
  });
  return (
    <svg
      class="qr"
      width={size}
      height={size}
      viewBox={`0 0 ${qr.size} ${qr.size}`}
      shape-rendering="crispEdges"
      role="img"
      aria-label="QR code of your address"
    >
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={d} fill="#111b21" />
    </svg>
  );
}
