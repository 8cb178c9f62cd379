/** What the routes are built from, and what each request carries besides itself. */
import type { PeerInfo, WispCrypto } from "@wisp/lib";
import type { Ring } from "../chord/ring";
import type { Clock } from "../clock";
import type { Metrics, RefusalSink } from "../metrics";
import type { Mailboxes } from "../store/mailboxes";
import type { ApiAnswer, ApiRequest } from "./exchange";

export interface ApiDeps {
  ring: Ring;
  mailboxes: Mailboxes;
  clock: Clock;
  metrics: Metrics;
  crypto: WispCrypto;
  log?: (message: string) => void;
  /** Told of each request refused for its sender's rate limits (429): counted, logged once. */
  refuse?: RefusalSink;
  /** Client API URLs, this node's and its neighbours' (directory/api-directory.ts); route tests may leave it out. */
  directory?: PeerDirectory;
}

export interface PeerDirectory {
  readonly selfApi: string;
  peers(): Promise<PeerInfo[]>;
}

export interface RequestContext {
  /** The socket's remote address: the client's, or a proxy's (client-address.ts). */
  clientAddr: string;
}

export type ApiHandler = (request: ApiRequest, context: RequestContext) => Promise<ApiAnswer>;
