// A place in an ADLS Gen2 account, written the two ways Azure writes it:
//   abfss://<container>@<account>.dfs.core.windows.net/<path>   (Spark, Synapse, the ABFS driver)
//   https://<account>.dfs.core.windows.net/<container>/<path>   (the dfs REST endpoint, OPENROWSET BULK,
//                                                                Customer Insights' model.json partitions)
// `https://<account>.blob.core.windows.net/...` names the same account and container through the Blob
// endpoint (Customer Insights and older CDM folders write partition locations that way), so it is
// accepted too. Sovereign clouds keep the shape with another suffix (core.chinacloudapi.cn,
// core.usgovcloudapi.net), so the suffix is kept, not assumed.
//
// Naming rules, from "Naming and referencing containers, blobs, and metadata" and "Storage account
// name" (learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata,
// learn.microsoft.com/azure/storage/common/storage-account-overview#storage-account-name):
// an account is 3-24 lowercase letters and digits; a container is 3-63 lowercase letters, digits and
// hyphens, starting with a letter or digit, with no two hyphens in a row. `$root` and `$web` are
// system containers the export has no business reading.
//
// Locally (`run --local DIR`) a lake location is read from `DIR/<container>/<path>`, so the whole
// feature can be tried without Azure: the account is not part of the local path, because one local
// directory stands for one lake.

export type LakeEndpoint = "dfs" | "blob";

export interface LakeLocation {
  account: string;
  container: string;
  /** The path inside the container, `/`-separated, percent-decoded, without a leading `/`; may be "" or hold a glob. */
  path: string;
  /** The endpoint the text named; both reach the same data in a hierarchical-namespace account. */
  endpoint: LakeEndpoint;
  /** The DNS suffix after `<account>.<endpoint>.`, e.g. `core.windows.net`. */
  suffix: string;
}

export type LakeLocationResult =
  { ok: true; location: LakeLocation } | { ok: false; problem: string };

const ACCOUNT = /^[a-z0-9]{3,24}$/;
const CONTAINER = /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*$/;
const SUFFIX = /^core\.[a-z0-9.-]+[a-z0-9]$/;

const ALLOWED_FORMS =
  "abfss://<container>@<account>.dfs.core.windows.net/<path> or https://<account>.dfs.core.windows.net/<container>/<path>";

/** True when the text is meant as a lake URL (it has a scheme), so a plain relative path is not. */
export function looksLikeLakeUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

export function parseLakeLocation(text: string): LakeLocationResult {
  const fail = (why: string): LakeLocationResult => ({
    ok: false,
    problem: `"${text}" ${why}; a lake location is ${ALLOWED_FORMS}.`,
  });
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!scheme) return fail("is not a URL");
  const schemeName = scheme[1].toLowerCase();
  const rest = text.slice(scheme[0].length);
  if (/[?#]/.test(rest)) return fail("has a query or fragment (a SAS token or another suffix)");

  let container: string;
  let hostAndPath: string;
  if (schemeName === "abfss") {
    const at = rest.indexOf("@");
    const slash = rest.indexOf("/");
    if (at < 0 || (slash >= 0 && slash < at)) return fail("has no <container>@ before the host");
    container = rest.slice(0, at);
    hostAndPath = rest.slice(at + 1);
  } else if (schemeName === "https") {
    hostAndPath = rest;
    container = "";
  } else if (schemeName === "abfs" || schemeName === "http") {
    return fail(`uses ${schemeName}://, which is not encrypted in transit (use ${schemeName}s://)`);
  } else {
    return fail(`uses the scheme ${schemeName}://`);
  }

  const slash = hostAndPath.indexOf("/");
  const host = (slash < 0 ? hostAndPath : hostAndPath.slice(0, slash)).toLowerCase();
  let rawPath = slash < 0 ? "" : hostAndPath.slice(slash + 1);
  const hostMatch = /^([^.]+)\.(dfs|blob)\.(.+)$/.exec(host);
  if (!hostMatch || !SUFFIX.test(hostMatch[3])) {
    return fail(`names the host "${host}", not <account>.dfs.<cloud suffix>`);
  }
  if (hostMatch[3].includes(":")) return fail("names a port");
  const [, account, endpoint, suffix] = hostMatch;
  if (schemeName === "abfss" && endpoint !== "dfs") return fail("uses abfss:// with a blob host");
  if (!ACCOUNT.test(account)) {
    return fail(`names the storage account "${account}" (3-24 lowercase letters and digits)`);
  }

  if (schemeName === "https") {
    const firstSlash = rawPath.indexOf("/");
    container = firstSlash < 0 ? rawPath : rawPath.slice(0, firstSlash);
    rawPath = firstSlash < 0 ? "" : rawPath.slice(firstSlash + 1);
  }
  if (!CONTAINER.test(container)) {
    return fail(
      `names the container "${container}" (3-63 lowercase letters, digits and single hyphens, starting with a letter or digit)`,
    );
  }

  const segments = rawPath.split("/").filter((s, i, all) => !(s === "" && i === all.length - 1));
  const decoded: string[] = [];
  for (const segment of segments) {
    let value: string;
    try {
      value = decodeURIComponent(segment);
    } catch {
      return fail(`has a malformed percent-encoding in "${segment}"`);
    }
    if (segment === "") return fail("has an empty path segment (//)");
    if (value === "." || value === "..") return fail(`has a "${value}" path segment`);
    if (value.includes("/") || value.includes("\\") || value.includes("\0")) {
      return fail(`has an encoded separator or NUL in "${segment}"`);
    }
    // OPENROWSET documents `*` (and a trailing `**`) as its only wildcards ("Query folders and
    // multiple files", develop-storage-files-overview); what it does with `?`, `[` or `]` is not
    // documented, so a name holding one could be a pattern to serverless and a name to the listing
    // that fingerprints it. Refused, so both read the same files.
    const odd = /[?[\]]/.exec(value);
    if (odd) {
      return fail(
        `has "${odd[0]}" in "${segment}" (serverless SQL documents only * and ** as wildcards, so the files it would read are not certain; rename the files or folder)`,
      );
    }
    // `**` reads every file below, documented only as the whole last segment ("/**" at the end of the
    // path, develop-storage-files-overview); elsewhere (`a/**/x.csv`, `a**`) what serverless reads is
    // not documented (and `folder/**/*.csv` is reported failing), so the listing could differ.
    if (value.includes("**") && !(value === "**" && decoded.length === segments.length - 1)) {
      return fail(
        `has ${value === "**" ? `"**" as a folder before the last segment` : `"**" in "${segment}"`} (serverless SQL documents ** only as the last segment, "/**", which reads every file below; end the path with /** or name the folder with *)`,
      );
    }
    decoded.push(value);
  }
  return {
    ok: true,
    location: {
      account,
      container,
      path: decoded.join("/"),
      endpoint: endpoint as LakeEndpoint,
      suffix,
    },
  };
}

/** The abfss:// form, for messages and Spark users. */
export function abfssUrl(location: LakeLocation): string {
  const base = `abfss://${location.container}@${location.account}.dfs.${location.suffix}`;
  return location.path === "" ? `${base}/` : `${base}/${encodePath(location.path)}`;
}

/** The https://<account>.dfs... form: what serverless SQL's OPENROWSET(BULK ...) and the dfs REST API take. */
export function dfsUrl(location: LakeLocation): string {
  const base = `https://${location.account}.dfs.${location.suffix}/${location.container}`;
  return location.path === "" ? `${base}/` : `${base}/${encodePath(location.path)}`;
}

/**
 * Where a lake location is read from when the export runs locally: `<localDir>/<container>/<path>`,
 * `/`-separated (callers join it with the platform's path module).
 */
export function localRelativePath(location: LakeLocation): string {
  return location.path === "" ? location.container : `${location.container}/${location.path}`;
}

/** Same account and container (the endpoint and the path do not matter). */
export function sameContainer(a: LakeLocation, b: LakeLocation): boolean {
  return a.account === b.account && a.container === b.container && a.suffix === b.suffix;
}

// Percent-encode each segment (a space is %20 in a URL) but keep `*` (left alone by
// encodeURIComponent): serverless SQL reads `*` in OPENROWSET's BULK path as the wildcard ("Query
// folders and multiple files"); `?`, `[` and `]` never reach here (parseLakeLocation refuses them).
function encodePath(p: string): string {
  return p
    .split("/")
    .map((s) => encodeURIComponent(s).replace(/%2A/gi, "*"))
    .join("/");
}
