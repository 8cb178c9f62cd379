/** The defaults every part of Wisp shares: a node, the CLI and the web app read them from here. */

/** TCP port of node-to-node traffic. */
export const DEFAULT_NODE_PORT = 7400;
/** HTTP port of the client API (and of the web app, where a node serves it). */
export const DEFAULT_API_PORT = 7401;
/** How long a node keeps an entry: 24 h (PROTOCOL.md). */
export const DEFAULT_TTL_MS = 86_400_000;
/** Copies of each mailbox entry. */
export const DEFAULT_REPLICAS = 3;
/** The client API of a node started with default settings on this machine. */
export const DEFAULT_NODE_URL = `http://127.0.0.1:${DEFAULT_API_PORT}`;
