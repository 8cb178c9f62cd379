/**
 * Notifications of new messages while the tab is hidden: one per message, titled with the
 * sender's name; the text only if the user allows it; none for a muted chat. Permission is asked
 * only from a user's click (enable). It watches the client's state, so the engine needs no hook.
 */
import type { WispClient } from "./client";
import { contactTitle, type Message } from "./state";
import type { Storage } from "./storage";

const SETTINGS_KEY = "notifications";
/** Per chat, how many of the newest messages are looked at after each change. */
const SCAN_DEPTH = 32;

export interface NotifySettings {
  enabled: boolean;
  showText: boolean;
  muted: string[];
}

export type Permission = "default" | "granted" | "denied" | "unsupported";

/** What the notifier needs of the page, so tests can give a fake. */
export interface NotifyHost {
  hidden(): boolean;
  permission(): Permission;
  requestPermission(): Promise<Permission>;
  show(title: string, options: { body: string; tag: string; onClick: () => void }): void;
  focus(): void;
}

export class Notifier {
  settings: NotifySettings = { enabled: false, showText: false, muted: [] };
  /** Notifications shown since the page started, for the UI and tests. */
  shown = 0;
  private readonly seen = new Set<string>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly client: WispClient,
    private readonly storage: Storage,
    private readonly host: NotifyHost,
  ) {}

  async load(): Promise<void> {
    this.settings = parseSettings(await this.storage.get(SETTINGS_KEY));
    for (const message of this.newest()) this.seen.add(message.id);
    this.client.subscribe(() => this.check());
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  permission(): Permission {
    return this.host.permission();
  }

  /** Called from a click: asks the browser for permission, then turns notifications on. */
  async enable(): Promise<Permission> {
    const permission = await this.host.requestPermission();
    await this.save({ ...this.settings, enabled: permission === "granted" });
    return permission;
  }

  disable(): Promise<void> {
    return this.save({ ...this.settings, enabled: false });
  }

  setShowText(showText: boolean): Promise<void> {
    return this.save({ ...this.settings, showText });
  }

  isMuted(peer: string): boolean {
    return this.settings.muted.includes(peer);
  }

  setMuted(peer: string, muted: boolean): Promise<void> {
    const others = this.settings.muted.filter((p) => p !== peer);
    return this.save({ ...this.settings, muted: muted ? [...others, peer] : others });
  }

  private check(): void {
    const fresh = this.newest().filter((m) => !this.seen.has(m.id));
    for (const message of fresh) this.seen.add(message.id);
    if (!this.settings.enabled || !this.host.hidden() || this.host.permission() !== "granted") return;
    for (const message of fresh) {
      if (this.isMuted(message.peer)) continue;
      this.notify(message);
    }
  }

  private notify(message: Message): void {
    const { contacts, groups } = this.client.state;
    const nameOf = (address: string) => (contacts[address] ? contactTitle(contacts[address]) : address);
    const group = groups[message.peer];
    // In a group the chat is the group, and the author is named in the body.
    const title = group ? group.name : nameOf(message.peer);
    const by = group && message.author ? `${nameOf(message.author)}: ` : "";
    const body = by + (this.settings.showText ? message.text.slice(0, 200) : "New message");
    this.host.show(title, {
      body,
      tag: message.id,
      onClick: () => {
        this.host.focus();
        this.client.openChat(message.peer);
      },
    });
    this.shown++;
    this.emit();
  }

  /** The newest incoming messages of every chat. */
  private newest(): Message[] {
    const out: Message[] = [];
    for (const list of Object.values(this.client.state.messages))
      for (const m of list.slice(-SCAN_DEPTH)) if (!m.out) out.push(m);
    return out;
  }

  private async save(settings: NotifySettings): Promise<void> {
    this.settings = settings;
    this.emit();
    await this.storage.set(SETTINGS_KEY, settings);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

function parseSettings(value: unknown): NotifySettings {
  if (typeof value !== "object" || value === null) return { enabled: false, showText: false, muted: [] };
  const v = value as Record<string, unknown>;
  const muted = Array.isArray(v.muted) ? v.muted.filter((p): p is string => typeof p === "string") : [];
  return { enabled: v.enabled === true, showText: v.showText === true, muted: muted.slice(0, 10_000) };
}

/** The browser's side: the Notification API and the page's visibility. */
export function browserNotifyHost(): NotifyHost {
  const supported = typeof Notification !== "undefined";
  return {
    hidden: () => document.visibilityState === "hidden",
    permission: () => (supported ? Notification.permission : "unsupported"),
    requestPermission: async () => (supported ? Notification.requestPermission() : "unsupported"),
    show(title, { body, tag, onClick }) {
      const notification = new Notification(title, { body, tag, icon: "./icon-192.png" });
      notification.onclick = () => {
        onClick();
        notification.close();
      };
    },
    focus: () => window.focus(),
  };
}
