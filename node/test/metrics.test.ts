import { describe, expect, it } from "vitest";
import { Metrics } from "../src/metrics";

describe("Metrics", () => {
  it("counts one series per label set, whatever the order the labels are given in", () => {
    const metrics = new Metrics();
    metrics.counter("wisp_test_total", "test");
    for (let i = 0; i < 3; i++) metrics.inc("wisp_test_total", { route: "/v1/store", status: "201" });
    metrics.inc("wisp_test_total", { status: "201", route: "/v1/store" }, 2);
    metrics.inc("wisp_test_total", { route: "/v1/store", status: "400" });
    expect(metrics.get("wisp_test_total", { status: "201", route: "/v1/store" })).toBe(5);
    expect(metrics.render()).toContain('wisp_test_total{route="/v1/store",status="201"} 5\n');
    expect(metrics.render()).toContain('wisp_test_total{route="/v1/store",status="400"} 1\n');
  });

  it("escapes backslashes, quotes and newlines in label values as the text format says", () => {
    const metrics = new Metrics();
    metrics.counter("wisp_test_total", "test");
    metrics.inc("wisp_test_total", { code: 'a"b\\c\nd' });
    metrics.inc("wisp_test_total", { code: "a_b_c_d" });
    metrics.inc("wisp_test_total");
    expect(metrics.render()).toContain('wisp_test_total{code="a\\"b\\\\c\\nd"} 1\n');
    expect(metrics.render()).toContain('wisp_test_total{code="a_b_c_d"} 1\n');
    expect(metrics.get("wisp_test_total", { code: 'a"b\\c\nd' })).toBe(1);
    expect(metrics.get("wisp_test_total")).toBe(1);
  });

  it("a resolved counter adds to the same series as inc, and shows in the exposition only once counted", () => {
    const metrics = new Metrics();
    metrics.counter("wisp_test_total", "test");
    const created = metrics.counterOf("wisp_test_total", { status: "201", route: "/v1/store" });
    expect(metrics.render()).toContain("wisp_test_total 0\n");
    created.inc();
    created.inc(2);
    metrics.inc("wisp_test_total", { route: "/v1/store", status: "201" });
    expect(metrics.get("wisp_test_total", { route: "/v1/store", status: "201" })).toBe(4);
    expect(metrics.render()).toContain('wisp_test_total{route="/v1/store",status="201"} 4\n');
    expect(() => metrics.counterOf("wisp_missing_total")).toThrow("metric wisp_missing_total is not defined");
  });
});
