import { join } from "node:path";
import { nobleCrypto } from "@wisp/lib";
import { createApi } from "../../src/api/routes";
import { runCli } from "../../src/cli/run";
import { systemClock } from "../../src/clock";
import { Metrics } from "../../src/metrics";
import { fetchOver } from "../api/exchange";
import { FakeMailboxes, fakeRing } from "../api/fakes";

/** Runs bin/wisp in-process against the API routes (no server): fetch is the route function. */
export function cliHarness(dir: string) {
  const mailboxes = new FakeMailboxes();
  const api = createApi({
    ring: fakeRing(),
    mailboxes,
    clock: systemClock,
    metrics: new Metrics(),
    crypto: nobleCrypto,
  });
  const fetchFn = fetchOver(api);
  const wisp = async (who: string, ...argv: string[]) => wispUntil(who, () => false, ...argv);
  /** Runs the CLI, pressing Ctrl-C (aborting its signal) once `stopWhen` holds for a printed line. */
  const wispUntil = (who: string, stopWhen: (line: string) => boolean, ...argv: string[]) =>
    wispWith({}, who, stopWhen, ...argv);
  /** The same with environment variables set. */
  const wispWith = async (
    env: Record<string, string>,
    who: string,
    stopWhen: (line: string) => boolean,
    ...argv: string[]
  ) => {
    const out: string[] = [];
    const err: string[] = [];
    const ctrlC = new AbortController();
    const code = await runCli([...argv, "--identity", join(dir, `${who}.json`)], {
      env,
      out: (line) => {
        out.push(line);
        if (stopWhen(line)) ctrlC.abort();
      },
      err: (line) => err.push(line),
      signal: ctrlC.signal,
      fetchFn,
    });
    return { code, out, err };
  };
  return { wisp, wispUntil, wispWith, mailboxes };
}

/** A harness with an identity per name: their addresses, and `poll` that answers the JSON lines. */
export async function cliPeople(dir: string, ...names: string[]) {
  const h = cliHarness(dir);
  const addresses: Record<string, string> = {};
  for (const name of names) {
    await h.wisp(name, "keygen");
    addresses[name] = (await h.wisp(name, "whoami")).out[0];
  }
  const poll = async (who: string) => (await h.wisp(who, "poll", "--json")).out.map((l) => JSON.parse(l));
  return { ...h, addresses, poll };
}
