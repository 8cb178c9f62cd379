/** Builds the web app into a directory of the test's own, so parallel test files never share dist/. */
import { fileURLToPath } from "node:url";
import { build } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * `bootstrap` is the build's VITE_WISP_NODE; by default a port nobody listens on, so a test's app
 * never fails over to a node another process happens to run on 7401. `minify: false` is for profiling.
 */
export async function buildApp(
  outDir: string,
  options: { minify?: boolean; bootstrap?: string } = {},
): Promise<void> {
  const bootstrap = options.bootstrap ?? "http://127.0.0.1:9";
  // vitest sets NODE_ENV=test, which makes vite build a larger, non-production bundle.
  const nodeEnv = process.env.NODE_ENV;
  const node = process.env.VITE_WISP_NODE;
  process.env.NODE_ENV = "production";
  process.env.VITE_WISP_NODE = bootstrap;
  try {
    await build({
      root,
      configFile: `${root}/vite.config.ts`,
      mode: "production",
      logLevel: "warn",
      build: { outDir, emptyOutDir: true, minify: options.minify ?? true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
    if (node === undefined) delete process.env.VITE_WISP_NODE;
    else process.env.VITE_WISP_NODE = node;
  }
}
