/**
 * Which client API URL each known node advertises (WISP_PUBLIC_URL), for GET /v1/peers: a client
 * fails over to these when its own node stops answering. A node answers `node.api` with its own
 * URL; the directory asks the ring's neighbours on demand and keeps their answers a while. A URL
 * is a node's claim about itself: it is checked to be an http(s) URL here, and a client confirms
 * it by asking that URL for the node's id before it uses it.
 */
import { idToHex, MAX_PEERS, type PeerInfo, parseApiUrl } from "@wisp/lib";
import type { NodeRef, Ring } from "../chord/ring";
import type { Clock } from "../clock";
import { LruMap } from "../lru";
import { RpcReject, type RpcRouter } from "../rpc/router";
import type { Transport, WireMessage } from "../transport/transport";

export interface DirectoryComponents {
  ring: Ring;
  transport: Transport;
  router: RpcRouter;
  clock: Clock;
}

export interface DirectoryOptions {
  /** The URL this node advertises. */
  selfApi: string;
  /** How long a neighbour's answer is kept before it is asked again. */
  cacheMs?: number;
  /** Deadline of one `node.api` request. */
  timeoutMs?: number;
}

/** The directory's one request and its answer (docs/node-protocol.md, "Directory message"). */
export type DirectoryRequest = { t: "node.api" };
export type DirectoryAnswer = { t: "node.api.ok"; api: string };
export const DIRECTORY_TAGS: readonly DirectoryRequest["t"][] = ["node.api"];

/** Nodes remembered at most; a ring's neighbourhood is far smaller. */
const MAX_REMEMBERED = 256;
export const MAX_API_URL_LENGTH = 2_048;
/** A node that did not answer is asked again after this, however often /v1/peers is called. */
const SILENT_RETRY_MS = 5_000;

interface Known {
  api: string | null;
  at: number;
}

export class ApiDirectory {
  private advertised: string;
  private readonly known = new LruMap<string, Known>(MAX_REMEMBERED);
  private readonly asking = new Map<string, Promise<string | null>>();
  private readonly cacheMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly components: DirectoryComponents,
    options: DirectoryOptions,
  ) {
    this.advertised = options.selfApi;
    this.cacheMs = options.cacheMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 1_500;
    components.router.on(DIRECTORY_TAGS, async (message) => answerApi(message, this.advertised));
  }

  get selfApi(): string {
    return this.advertised;
  }

  /** Sets the URL once it is known (the API port may be picked at bind time). */
  advertise(url: string): void {
    this.advertised = url;
  }

  /** Up to 16 other nodes with the URL each advertises, nearest successors first. */
  async peers(): Promise<PeerInfo[]> {
    const { ring } = this.components;
    const candidates = new Map<string, NodeRef>();
    const predecessor = ring.predecessor();
    for (const node of [...ring.successors(), ...(predecessor ? [predecessor] : [])])
      if (node.addr !== ring.self.addr && candidates.size < MAX_PEERS) candidates.set(node.addr, node);
    const answers = await Promise.all(
      [...candidates.values()].map(async (node) => ({ node, api: await this.apiOf(node.addr) })),
    );
    const peers: PeerInfo[] = [];
    for (const { node, api } of answers) if (api) peers.push({ id: idToHex(node.id), api });
    return peers;
  }

  private apiOf(addr: string): Promise<string | null> {
    const cached = this.known.get(addr);
    const keep = cached?.api ? this.cacheMs : SILENT_RETRY_MS;
    if (cached && this.components.clock.now() - cached.at < keep) return Promise.resolve(cached.api);
    const pending = this.asking.get(addr);
    if (pending) return pending;
    const asked = this.ask(addr).finally(() => this.asking.delete(addr));
    this.asking.set(addr, asked);
    return asked;
  }

  private async ask(addr: string): Promise<string | null> {
    const answer = await this.components.transport
      .request(addr, { t: "node.api" } satisfies DirectoryRequest, { timeoutMs: this.timeoutMs })
      .catch(() => null);
    const api = answer ? parseAnswer(answer) : null;
    this.known.set(addr, { api, at: this.components.clock.now() });
    return api;
  }
}

function answerApi(message: WireMessage, selfApi: string): DirectoryAnswer {
  if (Object.keys(message).length !== 1) throw new RpcReject('"node.api" takes no fields');
  return { t: "node.api.ok", api: selfApi };
}

function parseAnswer(answer: WireMessage): string | null {
  if (answer.t !== "node.api.ok" || typeof answer.api !== "string") return null;
  if (answer.api.length > MAX_API_URL_LENGTH) return null;
  return parseApiUrl(answer.api);
}
