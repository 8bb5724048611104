// Which files an OPENROWSET BULK path reads, as the TDS test server's "serverless" decides it: an
// independent reading of Microsoft's pages, written segment by segment (not a copy of the product's
// regex in src/engine/serverSide/lakeSourceListing.ts), so a contract test can catch the two disagreeing.
//
// Rules and their sources:
// - A path without a wildcard names one file, or a folder whose files directly in it are read; a
//   trailing `/` names the folder the same way, and subfolders are not read without `/**`
//   (https://learn.microsoft.com/en-us/azure/synapse-analytics/sql/develop-openrowset, "BULK",
//   the `webdata/` example: mydata.txt is read, mydata2.txt and mydata3.txt in a subfolder are not).
// - `*` matches any characters within one path segment: `folder/*.csv` reads the CSVs directly in
//   the folder and none of its subfolders; `folder/*/*.csv` the CSVs one level down
//   (https://learn.microsoft.com/en-us/azure/synapse-analytics/sql/query-folders-multiple-csv-files;
//   https://learn.microsoft.com/en-us/azure/synapse-analytics/sql/develop-storage-files-overview,
//   "Query multiple files or folders").
// - A final `/**` reads every file in the folder and in all its subfolders, recursively (same
//   develop-openrowset "BULK" and develop-storage-files-overview pages).
// - Files or folders whose name begins with `_` or `.` are hidden and not returned when a wildcard or
//   a folder reaches them (develop-openrowset, "BULK": "doesn't return files for which the file name
//   begins with an underline (_) or a period (.)"); one named explicitly, segment by segment, is read
//   (https://www.cloudtheus.net/course-materials/dp-203-data-engineering-on-microsoft-azure/azure-synapse-analytics/external-data-sources:
//   "You can explicitly specify hidden folder/file").
// - Paths are compared case-sensitively: blob names are case-sensitive
//   (https://learn.microsoft.com/en-us/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata).
//
// Where the pages are silent, the conservative reading:
// - `?` matches exactly one character within a segment (not documented for serverless; the common
//   glob meaning, never crossing `/`).
// - `**` anywhere but as the whole last segment is not documented (the cloudtheus page reports that
//   `folder/**/*.csv` fails); this matcher refuses it rather than guess.
// - A segment matched by a wildcard that begins with `_` or `.` is hidden even when the pattern's own
//   literal text begins with it (`_*.csv` reads nothing): only a name written out whole is explicit.

/** The file paths (relative to the container) a BULK path reads, sorted; `files` are file paths only. */
export function bulkPathFiles(pattern: string, files: readonly string[]): string[] {
  const segments = pattern.replace(/\/+$/, "").split("/");
  if (segments.slice(0, -1).includes("**"))
    throw new Error(`BULK path ${pattern}: \`**\` is only documented as the last segment`);
  const wildcard = segments.some(hasWildcard);
  const matched = files.filter((file) => {
    const names = file.split("/");
    if (!wildcard) {
      // A file named whole, or a folder's files directly in it.
      if (names.length === segments.length) return sameNames(segments, names);
      return (
        names.length === segments.length + 1 &&
        sameNames(segments, names.slice(0, -1)) &&
        !isHidden(names[names.length - 1])
      );
    }
    return matchSegments(segments, names);
  });
  return [...matched].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function matchSegments(segments: readonly string[], names: readonly string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === "**") {
      // Every file below: at least the file's own name, none of the names hidden.
      const rest = names.slice(i);
      return rest.length > 0 && !rest.some(isHidden);
    }
    if (i >= names.length) return false;
    if (!hasWildcard(segment)) {
      if (segment !== names[i]) return false;
    } else if (isHidden(names[i]) || !matchOneSegment(segment, names[i])) return false;
  }
  return names.length === segments.length;
}

/** Matches one name against one segment's `*` and `?`, character by character (no regex). */
function matchOneSegment(segment: string, name: string): boolean {
  // Classic two-pointer wildcard match with backtracking to the last `*`.
  let s = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (s < segment.length && (segment[s] === "?" || segment[s] === name[n])) {
      s++;
      n++;
    } else if (s < segment.length && segment[s] === "*") {
      star = s++;
      resume = n;
    } else if (star >= 0) {
      s = star + 1;
      n = ++resume;
    } else return false;
  }
  while (s < segment.length && segment[s] === "*") s++;
  return s === segment.length;
}

function hasWildcard(segment: string): boolean {
  return segment.includes("*") || segment.includes("?");
}

function isHidden(name: string): boolean {
  return name.startsWith("_") || name.startsWith(".");
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
