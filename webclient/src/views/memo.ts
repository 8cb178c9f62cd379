/**
 * A component that renders again only when one of its props changed (by identity): the state
 * functions return a new object for every message that changed and the very same one otherwise,
 * so a long chat re-renders one row per change, not all of them. (preact/compat's memo, without
 * pulling compat into the bundle.)
 */
import { Component, type ComponentChild, type FunctionComponent } from "preact";

export function memo<P extends object>(render: FunctionComponent<P>): FunctionComponent<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      const now = this.props as Record<string, unknown>;
      const then = next as Record<string, unknown>;
      for (const key in then) if (now[key] !== then[key]) return true;
      for (const key in now) if (!(key in then)) return true;
      return false;
    }
    override render(props: P): ComponentChild {
      return render(props);
    }
  }
  return Memo as unknown as FunctionComponent<P>;
}
