/** bin/wisp: the command-line client (bundled to node/dist/wisp.mjs). */
import { runCli } from "./run";

const aborter = new AbortController();
const stop = () => aborter.abort();
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  signal: aborter.signal,
});
