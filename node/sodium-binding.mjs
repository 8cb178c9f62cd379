// An esbuild plugin for bundles that run on Node.js: sodium-native's binding.js finds its prebuilt
// addon through require-addon, whose resolver (bare-module-resolve, bare-semver and their first
// compiles) adds ~4.7 MiB to an idle node's RSS (docs/performance.md, "Idle memory"). The bundle
// loads the prebuilt file for this platform directly, and falls back to that resolver when there
// is none (a source build, an unlisted platform).
const DIRECT_BINDING = `
const { existsSync } = require("node:fs");
const { dirname, join } = require("node:path");
const packageDir = dirname(require.resolve("sodium-native/package.json"));
const prebuilt = join(packageDir, "prebuilds", process.platform + "-" + process.arch, "sodium-native.node");
module.exports = existsSync(prebuilt) ? require(prebuilt) : require(join(packageDir, "binding.js"));
`;

export const sodiumBinding = {
  name: "sodium-binding",
  setup(build) {
    build.onLoad({ filter: /[\\/]sodium-native[\\/]binding\.js$/ }, () => ({
      contents: DIRECT_BINDING,
      loader: "js",
    }));
  },
};
