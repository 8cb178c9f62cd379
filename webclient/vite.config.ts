import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { serviceWorkerPlugin } from "./scripts/service-worker-plugin.ts";
import { sizeReportPlugin } from "./scripts/size.ts";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [serviceWorkerPlugin(), sizeReportPlugin()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // One chunk and no <link rel="modulepreload">: the polyfill would have nothing to preload.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
