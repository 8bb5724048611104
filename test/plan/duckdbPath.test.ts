import { expect } from "chai";
import { duckdbPathProblem, literalDuckdbPath } from "../../src/plan/duckdbPath";

describe("literalDuckdbPath", () => {
  it("puts each glob character in a class of its own, and leaves braces and quotes alone", () => {
    expect(literalDuckdbPath("/x/out[1]/a*b?.csv")).to.equal("/x/out[[]1]/a[*]b[?].csv");
    expect(literalDuckdbPath("/x/a{1,2}/it's.csv")).to.equal("/x/a{1,2}/it's.csv");
  });

  it("passes a backslash when the path has no glob character (DuckDB reads it as it is)", () => {
    expect(duckdbPathProblem("/x/b\\x/f.csv")).to.equal(undefined);
    expect(literalDuckdbPath("/x/b\\x/f.csv")).to.equal("/x/b\\x/f.csv");
  });

  it("refuses a backslash beside a glob character: DuckDB would split the path there", () => {
    expect(duckdbPathProblem("/x/m\\n[1]/f.csv")).to.include("backslash");
    expect(() => literalDuckdbPath("/x/m\\n[1]/f.csv")).to.throw(/backslash/);
  });
});
