import type { Plugin } from "esbuild";

/** See sodium-binding.mjs. */
export declare const sodiumBinding: Plugin;
