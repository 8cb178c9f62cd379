/**
 * Which messages of a chat are in the DOM: the newest PAGE, and a PAGE more each time the reader
 * scrolls near the top (the view keeps its place). A chat of thousands then costs what a chat of
 * a hundred does, for every arriving message.
 */
import type { RefObject } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";

export const PAGE = 100;
const NEAR_TOP_PX = 200;

export function useMessageWindow(count: number, scroller: RefObject<HTMLElement | null>) {
  const [shown, setShown] = useState(PAGE);
  const fromBottom = useRef<number | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || fromBottom.current === null) return;
    el.scrollTop = el.scrollHeight - fromBottom.current;
    fromBottom.current = null;
  }, [shown]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el || el.scrollTop > NEAR_TOP_PX || shown >= count || fromBottom.current !== null) return;
    fromBottom.current = el.scrollHeight - el.scrollTop;
    setShown(shown + PAGE);
  };

  return { first: Math.max(0, count - shown), onScroll };
}
