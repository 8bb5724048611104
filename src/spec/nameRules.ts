// What an entity or database name must be beyond the SQL name pattern, for the places it lands:
//
// - Bytes, not characters, where a filesystem counts: the name becomes a folder of the lake (and the
//   database's `<name>.duckdb` file locally), and the export renames a folder it deletes to
//   `.<name>.<pid>.<8 hex>.tmp` first. Linux and most filesystems allow 255 bytes per name
//   (NAME_MAX; `getconf NAME_MAX /`), ADLS Gen2 255 per path segment; 128 characters of a
//   non-Latin script are up to 512 bytes of UTF-8 (ENAMETOOLONG at the first write).
// - Not the name of a schema the export creates in the database (`snapshots`): DuckDB then cannot
//   tell `snapshots.<table>` the catalog from the schema ("Ambiguous reference").
// - Not the same name as another after Unicode NFKC and case folding (`Customer`, `ＣUSTOMER`):
//   the database compares names ignoring case, and a reader cannot tell the two apart.
// - One script for its letters: `Сustomer` with a Cyrillic С (U+0421) passes NFKC unchanged and
//   reads as `Customer` (Unicode TR #39, "mixed-script confusables"), so Latin mixed with Cyrillic
//   or Greek is refused.
// - Not the same as another entity's name as its snapshot tables shorten it (snapshotTableStem):
//   an entity named `<73 characters>_<8 hex>` would write the tables of a longer entity's snapshots.

import { createHash } from "node:crypto";

/** NAME_MAX (255) less what the export adds around a name: `.` + `.` + pid (7) + `.` + 8 hex + `.tmp`. */
export const MAX_NAME_BYTES = 255 - 22;

/**
 * Serverless SQL limits external table names to 100 characters (self-help for serverless SQL pool,
 * "Constraints": https://learn.microsoft.com/azure/synapse-analytics/sql/resources-self-help-sql-on-demand),
 * below T-SQL's 128 for other identifiers.
 */
export const MAX_EXTERNAL_TABLE_NAME = 100;

/** A snapshot id's length: 16 hex characters (engine/fingerprint.ts, serverSide/lakeSourceListing.ts). */
export const SNAPSHOT_ID_CHARS = 16;

/**
 * The entity's part of its snapshot tables' names, before `__<snapshot>`. An entity name may use all
 * 128 characters but an external table name only 100, so a long one is shortened and made unique
 * again with the first 8 hex digits of the SHA-256 of the full name.
 */
export function snapshotTableStem(entity: string, snapshotChars = SNAPSHOT_ID_CHARS): string {
  if (entity.length + 2 + snapshotChars <= MAX_EXTERNAL_TABLE_NAME) return entity;
  const hash = createHash("sha256").update(entity).digest("hex").slice(0, 8);
  const keep = MAX_EXTERNAL_TABLE_NAME - snapshotChars - hash.length - 3;
  return `${entity.slice(0, keep)}_${hash}`;
}

/** Schemas the export creates in every database (src/plan/sqlPlan.ts SNAPSHOT_SCHEMA). */
export const EXPORT_SCHEMAS = ["snapshots"];

/**
 * The key under which two names are one name to the export database: its collation
 * (Latin1_General_100_CI_AS_SC_UTF8) is case-, width- and kana-insensitive, since it has no _CS, _WS
 * or _KS ("Kana-sensitive (_KS) ... If this option isn't selected, the collation is kana-insensitive.
 * That is, SQL Server considers Hiragana and Katakana characters to be equal":
 * https://learn.microsoft.com/sql/relational-databases/collations/collation-and-unicode-support).
 * NFKC folds full-width `Ｃ` and half-width `ｶ`; hiragana is then mapped to its katakana (the two
 * blocks are 0x60 apart), so `かな` and `カナ` are one name.
 */
export function foldName(name: string): string {
  return name
    .normalize("NFKC")
    .replace(/[\u3041-\u3096\u309d\u309e]/gu, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
    .toLowerCase();
}

/** How two names that fold to one key differ, for a message: case, Unicode forms, or kana. */
export function howNamesFold(a: string, b: string): string {
  if (a.toLowerCase() === b.toLowerCase()) return "names are compared ignoring case";
  if (a.normalize("NFKC").toLowerCase() === b.normalize("NFKC").toLowerCase()) {
    return `names are compared ignoring case and Unicode compatibility forms: '${b}' is '${a}' after NFKC`;
  }
  return `names are compared ignoring case, Unicode compatibility forms and kana (the database's collation takes hiragana and katakana as equal): '${b}' is '${a}'`;
}

/** Why a name cannot be a folder of the lake, or undefined. */
export function nameBytesProblem(name: string): string | undefined {
  const bytes = Buffer.byteLength(name, "utf8");
  if (bytes <= MAX_NAME_BYTES) return undefined;
  return `is ${bytes} bytes in UTF-8 (${[...name].length} characters); it names a folder in the lake, and a folder name may be at most ${MAX_NAME_BYTES} bytes here (255 less what the export adds): shorten it`;
}

const SCRIPTS: [string, RegExp][] = [
  ["Latin", /\p{Script=Latin}/u],
  ["Cyrillic", /\p{Script=Cyrillic}/u],
  ["Greek", /\p{Script=Greek}/u],
];

/** Why a name's letters mix scripts a reader confuses, or undefined. */
export function mixedScriptProblem(name: string): string | undefined {
  const found = SCRIPTS.filter(([, re]) => re.test(name));
  if (found.length < 2) return undefined;
  const [, second] = found;
  const odd = [...name].find((ch) => second[1].test(ch))!;
  const code = `U+${odd.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  return `mixes ${found.map(([n]) => n).join(" and ")} letters ('${odd}' is ${second[0]} ${code}), so it can look like another name; write it in one script`;
}
