/** The command-line client as a function of argv and io. Exit codes: 0 done, 1 node or network failure, 2 usage or file error. */
import { DEFAULT_NODE_URL, isId, NodeClient, parseApiUrl, type ReplyRef } from "@wisp/lib";
import { CLI_USAGE, parseArgs, UsageError } from "./args";
import { type CliContext, keygen, poll, send, whoami } from "./commands";
import { deleteForEveryone, groupCommand, react, setName } from "./group";
import { defaultIdentityPath } from "./identity-file";
import { NodeError } from "./node-error";

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  signal: AbortSignal;
  now?: () => number;
  fetchFn?: typeof fetch;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.switches.has("--help") || args.command === null || args.command === "help") {
      io.out(CLI_USAGE);
      return args.command === null && !args.switches.has("--help") ? 2 : 0;
    }
    const nodeText = args.values["--node"] ?? io.env.WISP_NODE ?? DEFAULT_NODE_URL;
    const nodeUrl = parseApiUrl(nodeText);
    if (!nodeUrl) throw new UsageError(`--node expected an http(s) URL, got "${nodeText}"`);
    const ctx: CliContext = {
      identityPath: args.values["--identity"] ?? defaultIdentityPath(io.env),
      client: new NodeClient(nodeUrl, io.fetchFn ? { fetch: io.fetchFn } : {}),
      json: args.switches.has("--json"),
      now: io.now ?? Date.now,
      out: io.out,
      err: io.err,
      signal: io.signal,
    };
    const extra = ["send", "group", "name", "react", "delete"].includes(args.command) ? [] : args.positionals;
    if (extra.length > 0) throw new UsageError(`${args.command} takes no arguments, got "${extra[0]}"`);
    switch (args.command) {
      case "keygen":
        await keygen(ctx, args.switches.has("--force"));
        return 0;
      case "whoami":
        await whoami(ctx);
        return 0;
      case "send":
        await send(ctx, args.positionals, replyOf(args.values));
        return 0;
      case "group":
        await groupCommand(ctx, args.positionals);
        return 0;
      case "name":
        await setName(ctx, args.positionals);
        return 0;
      case "react":
        await react(ctx, args.positionals);
        return 0;
      case "delete":
        await deleteForEveryone(ctx, args.positionals);
        return 0;
      case "poll":
        await poll(
          ctx,
          args.switches.has("--follow"),
          args.values["--wait"],
          !args.switches.has("--no-read-receipts") && io.env.WISP_READ_RECEIPTS !== "off",
        );
        return 0;
      default:
        throw new UsageError(`unknown command "${args.command}"; see wisp --help`);
    }
  } catch (error) {
    if (io.signal.aborted) return 0;
    if (error instanceof UsageError) {
      io.err(`wisp: ${error.message}`);
      return 2;
    }
    if (error instanceof NodeError) {
      io.err(`wisp: ${error.message}`);
      return 1;
    }
    io.err(`wisp: ${(error as Error).message}`);
    return 1;
  }
}

function replyOf(values: Record<string, string>): ReplyRef | undefined {
  const id = values["--reply"];
  if (id === undefined) return undefined;
  if (!isId(id)) throw new UsageError(`--reply expected a message id (22 characters), got "${id}"`);
  return { id, snippet: (values["--quote"] ?? "").slice(0, 160) };
}
