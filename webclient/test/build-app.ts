/** Builds the web app into a directory of the test's own, so parallel test files never share dist/. */
import { fileURLToPath } from "node:url";
import { build } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function buildApp(outDir: string, options: { minify?: boolean } = {}): Promise<void> {
  // vitest sets NODE_ENV=test, which makes vite build a larger, non-production bundle.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
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
  }
}
