/** Inline SVG icons (24×24 view box), coloured by currentColor. Decorative unless labelled by their parent. */
import type { SVGAttributes } from "preact";

type IconProps = { size?: number } & SVGAttributes<SVGSVGElement>;

function icon(path: string) {
  return ({ size = 24, ...rest }: IconProps) => (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" {...rest}>
      <path fill="currentColor" d={path} />
    </svg>
  );
}

export const SendIcon = icon("M2 21l21-9L2 3l0 7 15 2L2 14z");
export const BackIcon = icon("M20 11H7.8l5.6-5.6L12 4 4 12l8 8 1.4-1.4L7.8 13H20V11z");
export const NewChatIcon = icon(
  "M19 3H5A2 2 0 0 0 3 5V19l4-4H19a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm-2 7H13v4H11V10H7V8h4V4h2V8h4v2z",
);
/** A gear: eight teeth (a dashed ring) around a ring. */
export function SettingsIcon({ size = 24, ...rest }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" {...rest}>
      <g fill="none" stroke="currentColor" stroke-width="3">
        <circle cx="12" cy="12" r="8" stroke-dasharray="3.14" />
        <circle cx="12" cy="12" r="5" />
      </g>
    </svg>
  );
}
export const SearchIcon = icon(
  "M15.5 14h-.8l-.3-.3A6.5 6.5 0 1 0 13.7 14.4l.3.3v.8l5 5 1.5-1.5zm-6 0a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9z",
);
export const CopyIcon = icon(
  "M16 1H4A2 2 0 0 0 2 3V17H4V3H16zm3 4H8A2 2 0 0 0 6 7V21a2 2 0 0 0 2 2H19a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2zm0 16H8V7H19z",
);
export const ShareIcon = icon(
  "M18 16.1c-.8 0-1.4.3-2 .8L8.9 12.7a3.2 3.2 0 0 0 0-1.4L16 7.2A3 3 0 1 0 15 5c0 .2 0 .5.1.7L8 9.8a3 3 0 1 0 0 4.4l7.1 4.2a2.9 2.9 0 1 0 2.8-2.3z",
);
export const EditIcon = icon(
  "M3 17.2V21H6.8l11-11.1L14 6.2zM20.7 7a1 1 0 0 0 0-1.4L18.4 3.3a1 1 0 0 0-1.4 0L15.2 5.1 19 8.8z",
);
export const LockIcon = icon(
  "M18 8H17V6A5 5 0 0 0 7 6V8H6a2 2 0 0 0-2 2V20a2 2 0 0 0 2 2H18a2 2 0 0 0 2-2V10a2 2 0 0 0-2-2zm-6 9a2 2 0 1 1 0-4 2 2 0 0 1 0 4zm3.1-9H8.9V6a3.1 3.1 0 0 1 6.2 0z",
);

/** Delivery marks, drawn small like WhatsApp's (16×11 / 16×15 boxes). */
export function ClockMark() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
      <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" stroke-width="1.4" />
      <path
        d="M8 4.5V8.4L10.6 10"
        fill="none"
        stroke="currentColor"
        stroke-width="1.4"
        stroke-linecap="round"
      />
    </svg>
  );
}

export function TickMark({ double }: { double: boolean }) {
  return (
    <svg width={double ? 18 : 14} height="12" viewBox={double ? "0 0 18 12" : "0 0 14 12"} aria-hidden="true">
      <path
        d="M1.5 6.5L4.8 9.8 12 2.2"
        fill="none"
        stroke="currentColor"
        stroke-width="1.7"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
      {double && (
        <path
          d="M7.4 8.4L8.8 9.8l7.4-7.6"
          fill="none"
          stroke="currentColor"
          stroke-width="1.7"
          stroke-linecap="round"
          stroke-linejoin="round"
        />
      )}
    </svg>
  );
}

export function FailedMark() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
      <circle cx="8" cy="8" r="7" fill="currentColor" />
      <path d="M8 4V9" stroke="#fff" stroke-width="1.8" stroke-linecap="round" />
      <circle cx="8" cy="11.6" r="1" fill="#fff" />
    </svg>
  );
}

export const GroupIcon = icon(
  "M16 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM8 11A3 3 0 1 0 8 5a3 3 0 0 0 0 6zm0 2c-2.3 0-7 1.2-7 3.5V19H15V16.5c0-2.3-4.7-3.5-7-3.5zm8 0c-.3 0-.6 0-1 0a4.2 4.2 0 0 1 2 3.5V19h6V16.5c0-2.3-4.7-3.5-7-3.5z",
);
export const TrashIcon = icon("M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6zM19 4H15.5l-1-1h-5l-1 1H5V6H19z");
export const CloseIcon = icon(
  "M19 6.4L17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z",
);
export const ChevronIcon = icon("M7.4 8.6L12 13.2l4.6-4.6L18 10l-6 6L6 10z");
const BELL =
  "M12 22a2 2 0 0 0 2-2H10a2 2 0 0 0 2 2zm6-6V11c0-3.1-1.6-5.6-4.5-6.3V4a1.5 1.5 0 0 0-3 0v.7C7.6 5.4 6 7.9 6 11v5L4 18v1H20V18z";
export const BellIcon = icon(BELL);
/** The bell struck through. */
export const BellOffIcon = icon(`${BELL}M2.8 4.2l1.4-1.4 17 17-1.4 1.4z`);
