import { expect } from "chai";
import {
  abfssUrl,
  dfsUrl,
  localRelativePath,
  looksLikeLakeUrl,
  parseLakeLocation,
  sameContainer,
  type LakeLocation,
} from "../../src/plan/lakeLocation";

function parsed(text: string): LakeLocation {
  const result = parseLakeLocation(text);
  if (!result.ok) throw new Error(result.problem);
  return result.location;
}

function problem(text: string): string {
  const result = parseLakeLocation(text);
  if (result.ok) throw new Error(`"${text}" was accepted as ${JSON.stringify(result.location)}`);
  return result.problem;
}

describe("lake locations (abfss:// and https:// forms of one place in ADLS Gen2)", () => {
  it("reads both forms as the same account, container and path", () => {
    const a = parsed("abfss://ci-exports@contosolake.dfs.core.windows.net/Customer/2026/*.csv");
    const b = parsed("https://contosolake.dfs.core.windows.net/ci-exports/Customer/2026/*.csv");
    for (const l of [a, b]) {
      expect(l).to.deep.equal({
        account: "contosolake",
        container: "ci-exports",
        path: "Customer/2026/*.csv",
        endpoint: "dfs",
        suffix: "core.windows.net",
      });
    }
    expect(sameContainer(a, b)).to.equal(true);
  });

  it("accepts the blob host Customer Insights writes into model.json partitions, and sovereign clouds", () => {
    const blob = parsed("https://contosolake.blob.core.windows.net/exp/Customer/part%20one.csv");
    expect(blob).to.include({ endpoint: "blob", container: "exp", path: "Customer/part one.csv" });
    expect(dfsUrl(blob)).to.equal(
      "https://contosolake.dfs.core.windows.net/exp/Customer/part%20one.csv",
    );
    const china = parsed("abfss://exp@lake01.dfs.core.chinacloudapi.cn/x.parquet");
    expect(china.suffix).to.equal("core.chinacloudapi.cn");
    expect(abfssUrl(china)).to.equal("abfss://exp@lake01.dfs.core.chinacloudapi.cn/x.parquet");
  });

  it("maps a location to <container>/<path> for the local target", () => {
    expect(localRelativePath(parsed("abfss://exp@lake01.dfs.core.windows.net/a/b.csv"))).to.equal(
      "exp/a/b.csv",
    );
    expect(localRelativePath(parsed("https://lake01.dfs.core.windows.net/exp/"))).to.equal("exp");
  });

  it("keeps a glob's * readable when writing a URL back, and encodes the rest", () => {
    const l = parsed("https://lake01.dfs.core.windows.net/exp/Cust omer/p*.csv");
    expect(l.path).to.equal("Cust omer/p*.csv");
    expect(dfsUrl(l)).to.equal("https://lake01.dfs.core.windows.net/exp/Cust%20omer/p*.csv");
  });

  it("refuses ?, [ and ] in a name (raw or percent-encoded): serverless documents only * and ** as wildcards", () => {
    for (const path of ["p[0-9]*.csv", "p%5B0%5D.csv", "part-%3F.csv", "a]b/c.csv"]) {
      const r = parseLakeLocation(`https://lake01.dfs.core.windows.net/exp/${path}`);
      expect(r.ok, path).to.equal(false);
      if (!r.ok) expect(r.problem).to.match(/has "[?[\]]" in .*only \* and \*\* as wildcards/);
    }
  });

  it("takes ** only as the whole last segment, the one place serverless documents it", () => {
    expect(parsed("https://lake01.dfs.core.windows.net/exp/visits/**").path).to.equal("visits/**");
    expect(parsed("abfss://exp@lake01.dfs.core.windows.net/**").path).to.equal("**");
    for (const path of ["visits/**/*.csv", "visits/a**", "**/x.csv", "visits/%2A%2A/p.csv"]) {
      const r = parseLakeLocation(`https://lake01.dfs.core.windows.net/exp/${path}`);
      expect(r.ok, path).to.equal(false);
      if (!r.ok)
        expect(r.problem).to.match(
          /has "\*\*" (in "[^"]+"|as a folder before the last segment) .*documents \*\* only as the last segment/,
        );
    }
    // A whole segment of ** before the last is said so, not as `"**" in "**"`.
    const r = parseLakeLocation("https://lake01.dfs.core.windows.net/exp/**/x.csv");
    expect(!r.ok && r.problem).to.match(/" has "\*\*" as a folder before the last segment/);
  });

  it("refuses what is not a lake location, naming the value and the allowed forms", () => {
    const cases: Array<[string, RegExp]> = [
      ["data/customers.csv", /is not a URL/],
      ["abfs://exp@lake01.dfs.core.windows.net/a.csv", /not encrypted in transit/],
      ["http://lake01.dfs.core.windows.net/exp/a.csv", /not encrypted in transit/],
      ["s3://bucket/a.csv", /scheme s3:\/\//],
      ["https://lake01.dfs.core.windows.net/exp/a.csv?sv=2024&sig=x", /query or fragment/],
      ["https://example.com/exp/a.csv", /host "example.com"/],
      ["https://Lake_01.dfs.core.windows.net/exp/a.csv", /storage account "lake_01"/],
      ["https://lake01.dfs.core.windows.net/Ci/a.csv", /container "Ci"/],
      ["https://lake01.dfs.core.windows.net/a--b/a.csv", /container "a--b"/],
      ["https://lake01.dfs.core.windows.net/$web/a.csv", /container "\$web"/],
      ["abfss://lake01.dfs.core.windows.net/a.csv", /no <container>@/],
      ["abfss://exp@lake01.blob.core.windows.net/a.csv", /blob host/],
      ["https://lake01.dfs.core.windows.net/exp/a/../b.csv", /"\.\." path segment/],
      ["https://lake01.dfs.core.windows.net/exp/a%2Fb.csv", /encoded separator/],
      ["https://lake01.dfs.core.windows.net/exp/a//b.csv", /empty path segment/],
      ["https://lake01.dfs.core.windows.net/exp/%E0%A4%A.csv", /malformed percent-encoding/],
    ];
    for (const [text, why] of cases) {
      const message = problem(text);
      expect(message, text).to.match(why);
      expect(message, text).to.include(`"${text}"`);
      expect(message, text).to.include("abfss://<container>@<account>.dfs.core.windows.net/<path>");
    }
  });

  it("tells a URL from a relative path by its scheme only", () => {
    expect(looksLikeLakeUrl("abfss://exp@lake01.dfs.core.windows.net/a.csv")).to.equal(true);
    expect(looksLikeLakeUrl("HTTPS://x")).to.equal(true);
    expect(looksLikeLakeUrl("data/a.csv")).to.equal(false);
    expect(looksLikeLakeUrl("C:\\data\\a.csv")).to.equal(false);
  });
});
