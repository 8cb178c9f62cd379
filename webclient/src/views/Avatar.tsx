/** A round avatar with the first letter of the name, its colour fixed by the address. */
const COLORS = ["#00a884", "#53bdeb", "#7f66ff", "#ff7a59", "#e26ab6", "#ffb02e", "#25d366", "#009de2"];

export function Avatar({
  address,
  title,
  size = 49,
  picture,
}: {
  address: string;
  title: string;
  size?: number;
  /** A data: URL the person chose (their profile); the letter otherwise. */
  picture?: string;
}) {
  if (picture?.startsWith("data:image/"))
    return <img class="avatar" src={picture} alt="" width={size} height={size} aria-hidden="true" />;
  let h = 0;
  for (let i = 0; i < address.length; i++) h = (h * 31 + address.charCodeAt(i)) >>> 0;
  const letter = (title.replace(/^~ /, "").trim()[0] ?? "?").toUpperCase();
  return (
    <span
      class="avatar"
      aria-hidden="true"
      style={{
        background: COLORS[h % COLORS.length],
        width: `${size}px`,
        height: `${size}px`,
        fontSize: `${Math.round(size * 0.42)}px`,
      }}
    >
      {letter}
    </span>
  );
}
