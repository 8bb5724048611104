// Column types for an entity that declares none.
//
// CSV holds only text, so its types are inferred here with the writer's own rules: a column gets the
// narrowest type that every sampled value fits, as the strict casts will read it (the candidate's
// shape, then the writer's misfit test). DuckDB's sniffer is not used for CSV: it accepts what the
// casts refuse (dates like 31/01/2024) and reads "01234" as a number, which would drop the zero of a
// postal code. JSON values carry their kind (number, string, boolean, object); each key's type is
// inferred from every record with the same rules, within its kind, so a string "123" stays a string
// and whole numbers never become a floating type. Parquet carries its own types, which DuckDB reports.
// Source names that are not SQL names (`Airport Name`) get one (`Airport_Name`), with the source
// name kept as the column's `sourceColumn`.

import type { ColumnSpec, EntitySpec, Spec } from "../../spec/types";
import { misfitPredicate } from "../writer/columnCasts";
import { DuckSession } from "../writer/duckdbSession";
import { quoteDuckdbIdentifier } from "../../plan/sqlQuote";
import { bindColumns, sourceColumns } from "./bindColumns";
import { columnFromDuckdbType } from "./duckdbTypes";
import { resolveCdmSource } from "./cdmSource";
import { resolveSources, type SourceFile } from "./resolveSources";
import { safeColumnNames } from "./safeColumnNames";
import { canonicalNumber } from "./numberText";
import { isJsonFormat, readWithColumnsSql, type SourceColumn } from "./sourceSql";

/** As many rows as DuckDB's own type detection samples by default. */
export const SAMPLE_ROWS = 20480;

/**
 * The entity's columns: the declared ones when the spec has them, else inferred from its files.
 * Reads the source files (a sample of CSV rows, every JSON record), writes nothing.
 */
export async function inferColumns(spec: Spec, entity: EntitySpec): Promise<ColumnSpec[]> {
  if (entity.columns && entity.columns.length > 0) return entity.columns;
  if (entity.source.format === "cdm") {
    // model.json declares them; nothing but model.json is read.
    return (await resolveCdmSource(spec.baseDir, entity, { sourceRoots: spec.export.sourceRoots }))
      .entity.columns!;
  }
  const files = await resolveSources(spec.baseDir, entity, {
    sourceRoots: spec.export.sourceRoots,
  });
  const session = await DuckSession.open({ threads: 1 });
  try {
    return await inferColumnsFrom(session, entity, files);
  } finally {
    session.close();
  }
}

export async function inferColumnsFrom(
  session: DuckSession,
  entity: EntitySpec,
  files: readonly SourceFile[],
): Promise<ColumnSpec[]> {
  const found = await sourceColumns(session, entity, files);
  const format = entity.source.format;
  const columns =
    format === "csv"
      ? await inferFromText(session, entity, files, found)
      : isJsonFormat(format)
        ? await inferFromJson(session, entity, files, found)
        : found.map((d) => columnFromDuckdbType(d.name, d.type));
  return safeColumnNames(entity.name, columns);
}

const DATE = "\\d{4}-\\d{2}-\\d{2}";
const TIME = "[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?";
const OFFSET = "(Z|[+-]\\d{2}(:?\\d{2})?)";
/** No leading zero: "01234" is a code (postal, phone), not a number. */
const NUMBER_START = "[+-]?(0|[1-9])";

type Inferred = Omit<ColumnSpec, "name">;
type Kind = "boolean" | "number" | "string";

interface Candidate {
  column: Inferred;
  /** The JSON kind a value must have for this type. */
  kind: Kind;
  /** What a value must look like, beyond being accepted by the writer's cast. */
  shape: (v: string) => string;
}

/** Candidate types, narrowest first. */
const CANDIDATES: Candidate[] = [
  {
    column: { type: "boolean" },
    kind: "boolean",
    shape: (v) => `lower(trim(${v})) IN ('true', 'false')`,
  },
  {
    column: { type: "int64" },
    kind: "number",
    shape: (v) => `regexp_full_match(${v}, '\\s*[+-]?(0|[1-9][0-9]*)\\s*')`,
  },
  // Whole numbers past int64 (20-digit ids) keep every digit: a double holds only 15-17 of them.
  {
    column: { type: "decimal", precision: 38, scale: 0 },
    kind: "number",
    shape: (v) => `regexp_full_match(${v}, '\\s*[+-]?(0|[1-9][0-9]{0,37})\\s*')`,
  },
  {
    column: { type: "double" },
    kind: "number",
    // Only numbers a double reads back as written (its shortest text is the same value): a
    // 20-digit whole number or 1234567890123456.78 (read back as 1234567890123456.8) keep the
    // column a string.
    shape: (v) =>
      `regexp_matches(${v}, '^\\s*${NUMBER_START}') AND NOT regexp_matches(${v}, '^\\s*[+-]?0[0-9]') AND ${canonicalNumber(v)} = ${canonicalNumber(`CAST(TRY_CAST(${v} AS DOUBLE) AS VARCHAR)`)}`,
  },
  {
    column: { type: "date" },
    kind: "string",
    shape: (v) => `regexp_full_match(${v}, '\\s*${DATE}\\s*')`,
  },
  {
    column: { type: "dateTime" },
    kind: "string",
    shape: (v) => `regexp_full_match(${v}, '\\s*${DATE}${TIME}\\s*')`,
  },
  {
    column: { type: "dateTimeOffset" },
    kind: "string",
    shape: (v) => `regexp_full_match(${v}, '\\s*${DATE}${TIME}${OFFSET}?\\s*')`,
  },
  {
    column: { type: "guid" },
    kind: "string",
    shape: (v) =>
      `regexp_full_match(${v}, '\\s*\\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\\}?\\s*')`,
  },
];

/** True when the text value `name` has the candidate's shape and the writer's cast takes it. */
function fits(c: Candidate, name: string): string {
  const v = quoteDuckdbIdentifier(name);
  const misfit = misfitPredicate({
    column: { name, ...c.column },
    sourceName: name,
    sourceType: "VARCHAR",
  });
  // CASE, not AND: DuckDB then runs the writer's (costlier) test only on values of the right shape.
  return `(CASE WHEN ${c.shape(v)} THEN NOT ${misfit} ELSE false END)`;
}

/** The first candidate no value refuses, or a string; a column without values is a string. */
function choose(name: string, counts: Record<string, unknown>, i: number, list: Candidate[]) {
  if (Number(counts[`n${i}`]) === 0) return { name, type: "string" } as ColumnSpec;
  const k = list.findIndex((_, k) => Number(counts[`c${i}_${k}`]) === 0);
  return { name, ...(k < 0 ? { type: "string" } : list[k].column) } as ColumnSpec;
}

async function inferFromText(
  session: DuckSession,
  entity: EntitySpec,
  files: readonly SourceFile[],
  found: readonly SourceColumn[],
): Promise<ColumnSpec[]> {
  const columns: ColumnSpec[] = found.map((f) => ({ name: f.name, type: "string" }));
  const source = await bindColumns(session, entity, files, columns, found);
  // The sample is judged as a long (column, value) table, a batch of columns at a time: DuckDB's
  // planning time grows with the square of a query's aggregates (measured: 90 of them 0.2 s, 720
  // 3.7 s; a 3,000-column file, nine per column in one query, did not finish in an hour), and
  // unpivoted there are nine in all. A batch bounds the memory of the unpivot (each row becomes a
  // list of its batch's values). UNPIVOT leaves out NULLs: a column with no value in the sample is
  // not in the result.
  const relation = source.relation(files.map((f) => f.absPath));
  const aggregates = CANDIDATES.map(
    (c, k) => `count_if(NOT coalesce(${fits(c, "v")}, false)) AS c0_${k}`,
  );
  const byName = new Map<string, Record<string, unknown>>();
  for (let start = 0; start < found.length; start += INFER_BATCH_COLUMNS) {
    const batch = found.slice(start, start + INFER_BATCH_COLUMNS);
    const names = batch.map((f) => quoteDuckdbIdentifier(f.name)).join(", ");
    const rows = await session.query(
      `SELECT name, count(*) AS n0, ${aggregates.join(", ")} FROM (
         UNPIVOT (SELECT ${names} FROM ${relation} LIMIT ${SAMPLE_ROWS}) ON ${names} INTO NAME name VALUE v)
       GROUP BY name`,
    );
    for (const r of rows) byName.set(String(r.name), r);
  }
  return found.map((f) => choose(f.name, byName.get(f.name) ?? { n0: 0 }, 0, CANDIDATES));
}

/** Columns unpivoted per query. */
const INFER_BATCH_COLUMNS = 200;

/** JSON kinds as json_type() names them. */
const JSON_KIND: Record<Kind, string> = {
  boolean: "json_type(j) = 'BOOLEAN'",
  number: "json_type(j) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT')",
  string: "json_type(j) = 'VARCHAR'",
};

/**
 * JSON types from every record. Not from the first SAMPLE_ROWS as for CSV: a LIMIT over JSON values
 * buffers them, and one 17 MB record then ran the session out of its memory limit; and a key first
 * seen late gets its type from its values instead of defaulting to a string.
 */
async function inferFromJson(
  session: DuckSession,
  entity: EntitySpec,
  files: readonly SourceFile[],
  found: readonly SourceColumn[],
): Promise<ColumnSpec[]> {
  if (found.length === 0) return [];
  const keys = found.map((f) => f.name);
  const inferred = await inferJsonKeys(session, entity, files, keys);
  return keys.map((key, i) => inferred[i] ?? { name: key, type: "string" });
}

/** Each key's type, or undefined for a key with no value in the records read. */
async function inferJsonKeys(
  session: DuckSession,
  entity: EntitySpec,
  files: readonly SourceFile[],
  keys: readonly string[],
): Promise<(ColumnSpec | undefined)[]> {
  // Per key: its value as text (a string unquoted, anything else as its JSON text) and its kind.
  // Each value's JSON kind is found once (json_type parses the value; a large one costs memory
  // each time), then its text: a string unquoted, anything else as its JSON text.
  const typed = keys
    .map(
      (key, i) =>
        `json_type(${quoteDuckdbIdentifier(key)}) AS "y${i}", ${quoteDuckdbIdentifier(key)} AS "j${i}"`,
    )
    .join(", ");
  const texts = keys.map((_, i) => {
    const y = `"y${i}"`;
    const kind = (k: Kind) => JSON_KIND[k].replace(/json_type\(j\)/g, y);
    return (
      `CASE WHEN ${y} IS NULL OR ${y} = 'NULL' THEN NULL WHEN ${y} = 'VARCHAR' THEN "j${i}" ->> '$' ELSE CAST("j${i}" AS VARCHAR) END AS "t${i}", ` +
      (["boolean", "number", "string"] as Kind[]).map((k) => `${kind(k)} AS "${k}${i}"`).join(", ")
    );
  });
  const aggregates: string[] = [];
  keys.forEach((_, i) => {
    aggregates.push(`count("t${i}") AS n${i}`);
    CANDIDATES.forEach((c, k) => {
      aggregates.push(
        `count_if("t${i}" IS NOT NULL AND NOT coalesce(CASE WHEN "${c.kind}${i}" THEN ${fits(c, `t${i}`)} ELSE false END, false)) AS c${i}_${k}`,
      );
    });
  });
  const relation = readWithColumnsSql(
    entity.source,
    files.map((f) => f.absPath),
    keys,
    "JSON",
  );
  const [counts] = await session.query(
    `SELECT ${aggregates.join(", ")} FROM (SELECT ${texts.join(", ")} FROM (SELECT ${typed} FROM ${relation}))`,
  );
  return keys.map((key, i) =>
    Number(counts[`n${i}`]) === 0 ? undefined : choose(key, counts, i, CANDIDATES),
  );
}
