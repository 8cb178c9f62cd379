/** Command-line arguments of bin/wisp: a command, positionals and --flags (value flags and switches). */
import { DEFAULT_NODE_URL } from "@wisp/lib";

export interface ParsedArgs {
  command: string | null;
  positionals: string[];
  values: Record<string, string>;
  switches: Set<string>;
}

export const VALUE_FLAGS = ["--node", "--identity", "--wait", "--reply", "--quote"] as const;
export const SWITCHES = ["--json", "--follow", "--force", "--no-read-receipts", "--help"] as const;

export class UsageError extends Error {
  override name = "UsageError";
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { command: null, positionals: [], values: {}, switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h") {
      parsed.switches.add("--help");
      continue;
    }
    if (!arg.startsWith("--") || arg === "-") {
      if (parsed.command === null) parsed.command = arg;
      else parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if ((SWITCHES as readonly string[]).includes(flag)) {
      if (eq >= 0) throw new UsageError(`${flag} takes no value`);
      parsed.switches.add(flag);
      continue;
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(flag))
      throw new UsageError(`unknown flag "${flag}"; see wisp --help`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") throw new UsageError(`${flag} needs a value`);
    parsed.values[flag] = value;
  }
  return parsed;
}

export const CLI_USAGE = `usage: wisp <command> [flags]

commands:
  keygen               create an identity file (mode 0600); --force replaces an existing one
  whoami               print your address (what you share with friends)
  send TO TEXT         seal TEXT to TO (an address, or a group id) and store it; prints the message id
                       --reply ID [--quote TEXT] answers message ID, quoting TEXT
  poll                 print new messages and NACKs, then acknowledge them; --follow keeps waiting.
                       Each text printed is reported to its sender as delivered and as read
                       (two blue ticks), unless --no-read-receipts or WISP_READ_RECEIPTS=off;
                       "ADDR read ID…" says someone read yours
  name NAME [ADDR…]    set your display name and send it to ADDR…, your groups and who had the old
  react TO ID EMOJI    react to message ID in the chat with TO (address or group id); "" removes
  delete TO ID…        delete your messages ID… for everyone in the chat with TO
  group create NAME ADDRESS…            make a group (you are its admin); prints its id
  group list | group show GID           your groups; one group's members and admins
  group send GID TEXT                   the same as send GID TEXT
  group add|remove GID ADDRESS…         change the members (admins only)
  group admin GID ADDRESS…              make members admins (admins only)
  group rename GID NAME | group leave GID

flags:
  --node URL           node to talk to (WISP_NODE; default ${DEFAULT_NODE_URL})
  --identity FILE      identity file (WISP_IDENTITY; default ~/.wisp/identity.json)
  --wait MS            poll: long-poll time per request, 0..25000 (default 0, or 25000 with --follow)
  --json               one JSON object per line, for scripts
  --follow             poll: keep long-polling until Ctrl-C
  --no-read-receipts   poll: say only "delivered" for what it prints, never "read"
  --force              keygen: overwrite an existing identity file
  --reply ID, --quote TEXT   send: the message answered and the start of its text

groups and your name are kept beside the identity file (identity.json → identity.state.json);
a change of yours that loses to another admin's made at the same time is made again on the next
poll, or printed as not applied

exit codes: 0 done, 1 the node or the network failed, 2 wrong usage or a bad file`;
