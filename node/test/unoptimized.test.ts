import { describe, expect, it } from "vitest";
import { turboFilterOfProcess, unoptimized } from "../src/unoptimized";
import { runBundled } from "./build/run-bundled";

/** Whether `hot`, made hot inside or after unoptimized(), ends up compiled by TurboFan (V8's status bit 6). */
const PROBE = `
import { unoptimized } from "./src/unoptimized.ts";
const status = new Function("f", "return %GetOptimizationStatus(f)");
const TURBOFANNED = 1 << 6;
const makeHot = () => function hot(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + i * i) % 1000003; return s; };
const warm = (f) => { for (let k = 0; k < 300; k++) f(10_000); return (status(f) & TURBOFANNED) !== 0; };
const inside = unoptimized(() => warm(makeHot()));
const after = warm(makeHot());
console.log(JSON.stringify({ inside, after }));
`;

describe("unoptimized", () => {
  it("returns what the work returns and passes on what it throws", () => {
    expect(unoptimized(() => 6 * 7)).toBe(42);
    expect(() =>
      unoptimized(() => {
        throw new RangeError("from the work");
      }),
    ).toThrow("from the work");
    expect(unoptimized(() => "still runs after a throw")).toBe("still runs after a throw");
  });

  it("keeps TurboFan off the work and on for everything after it", async () => {
    const { out } = await runBundled(PROBE, {
      nodeFlags: ["--allow-natives-syntax", "--no-concurrent-recompilation"],
    });
    expect(JSON.parse(out)).toEqual({ inside: false, after: true });
  });

  it("puts back the filter the process was started with, V8's default when none was given", () => {
    expect(turboFilterOfProcess([])).toBe("*");
    expect(turboFilterOfProcess(["--expose-gc", ""])).toBe("*");
    expect(turboFilterOfProcess(["--turbo-filter=hot*"])).toBe("hot*");
    expect(turboFilterOfProcess(["--turbo_filter=a", "--turbo-filter=b"])).toBe("b");
  });
});
