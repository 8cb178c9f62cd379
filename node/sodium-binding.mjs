// An esbuild plugin for bundles that run on Node.js, for two costs of sodium-native's JS in an idle
// node (docs/performance.md, "Idle memory"):
// - its binding.js finds the prebuilt addon through require-addon, whose resolver (bare-module-resolve,
//   bare-semver and their first compiles) adds ~4.7 MiB of RSS. The bundle loads the prebuilt file for
//   this platform directly, and falls back to that resolver when there is none (a source build, an
//   unlisted platform);
// - its argument checks call node:assert, which loads ~0.15 MiB of modules and, run unoptimized (the key
//   grind, node/src/unoptimized.ts), allocates an arguments array per check. They get a plain check
//   that throws the same AssertionError code.
const DIRECT_BINDING = `
const { existsSync } = require("node:fs");
const { dirname, join } = require("node:path");
const packageDir = dirname(require.resolve("sodium-native/package.json"));
const prebuilt = join(packageDir, "prebuilds", process.platform + "-" + process.arch, "sodium-native.node");
module.exports = existsSync(prebuilt) ? require(prebuilt) : require(join(packageDir, "binding.js"));
`;

const PLAIN_ASSERT = `
module.exports = function assert(value, message) {
  if (value) return;
  const error = new Error(message);
  error.code = "ERR_ASSERTION";
  throw error;
};
`;

export const sodiumBinding = {
  name: "sodium-binding",
  setup(build) {
    build.onLoad({ filter: /[\\/]sodium-native[\\/]binding\.js$/ }, () => ({
      contents: DIRECT_BINDING,
      loader: "js",
    }));
    // DIRECT_BINDING resolves the package at run time, from where the bundle lies.
    build.onResolve({ filter: /^sodium-native\/package\.json$/ }, (args) => ({
      path: args.path,
      external: true,
    }));
    build.onResolve({ filter: /^assert$/ }, (args) =>
      /[\\/]sodium-native[\\/]/.test(args.importer)
        ? { path: "sodium-native-assert", namespace: "wisp" }
        : undefined,
    );
    build.onLoad({ filter: /^sodium-native-assert$/, namespace: "wisp" }, () => ({
      contents: PLAIN_ASSERT,
      loader: "js",
    }));
  },
};
