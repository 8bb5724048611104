// Column types for an entity that declares none, from a sample of its rows.
//
// CSV holds only text, so its types are inferred here with the writer's own parsing rules: a column
// gets the narrowest type that every sampled value fits, as the strict casts will read it. DuckDB's
// sniffer is not used for CSV: it accepts what the casts refuse (dates like 31/01/2024) and reads
// "01234" as a number, which would drop the zero of a postal code. JSON Lines and Parquet carry their
// own types, which DuckDB reports; JSON types are then checked against the casts on the same sample.

import type { ColumnSpec, ColumnType, EntitySpec, Spec } from "../../spec/types";
import { misfitPredicate } from "../writer/columnCasts";
import { DuckSession } from "../writer/duckdbSession";
import { quoteDuckdbIdentifier } from "../../plan/sqlQuote";
import { bindColumns, sourceColumns } from "./bindColumns";
import { columnFromDuckdbType } from "./duckdbTypes";
import { resolveSources, type SourceFile } from "./resolveSources";
import type { SourceColumn } from "./sourceSql";

/** As many rows as DuckDB's own type detection samples by default. */
export const SAMPLE_ROWS = 20480;

/**
 * The entity's columns: the declared ones when the spec has them, else inferred from its files.
 * Reads the source files (a sample of rows), writes nothing.
 */
export async function inferColumns(spec: Spec, entity: EntitySpec): Promise<ColumnSpec[]> {
  if (entity.columns && entity.columns.length > 0) return entity.columns;
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
  if (entity.source.format === "csv") return inferFromText(session, entity, files, found);
  const columns = found.map((d) => columnFromDuckdbType(d.name, d.type));
  if (entity.source.format === "parquet") return columns;

  const source = await bindColumns(session, entity, files, columns);
  const checks = source.bindings.map((b, i) => `count_if(${misfitPredicate(b)}) AS m${i}`);
  const [counts] = await session.query(
    `SELECT ${checks.join(", ")} FROM (SELECT * FROM ${source.relation(files.map((f) => f.absPath))} LIMIT ${SAMPLE_ROWS})`,
  );
  return columns.map((c, i) =>
    Number(counts[`m${i}`]) > 0 ? { name: c.name, type: "string" } : c,
  );
}

const DATE = "\\d{4}-\\d{2}-\\d{2}";
const TIME = "[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?";
const OFFSET = "(Z|[+-]\\d{2}(:?\\d{2})?)";
/** No leading zero: "01234" is a code (postal, phone), not a number. */
const NUMBER_START = "[+-]?(0|[1-9])";

/** Candidate types, narrowest first, each with the rule a value must pass (v is not null). */
const CANDIDATES: { type: ColumnType; fits: (v: string) => string }[] = [
  { type: "boolean", fits: (v) => `lower(trim(${v})) IN ('true', 'false')` },
  {
    type: "int64",
    fits: (v) =>
      `regexp_full_match(${v}, '\\s*[+-]?(0|[1-9][0-9]*)\\s*') AND TRY_CAST(${v} AS BIGINT) IS NOT NULL`,
  },
  {
    type: "double",
    fits: (v) =>
      `regexp_matches(${v}, '^\\s*${NUMBER_START}') AND NOT regexp_matches(${v}, '^\\s*[+-]?0[0-9]') AND isfinite(TRY_CAST(${v} AS DOUBLE))`,
  },
  {
    type: "date",
    fits: (v) =>
      `regexp_full_match(${v}, '\\s*${DATE}\\s*') AND TRY_CAST(${v} AS DATE) IS NOT NULL`,
  },
  {
    type: "dateTime",
    fits: (v) =>
      `regexp_full_match(${v}, '\\s*${DATE}${TIME}\\s*') AND TRY_CAST(${v} AS TIMESTAMP) IS NOT NULL`,
  },
  {
    type: "dateTimeOffset",
    fits: (v) =>
      `regexp_full_match(${v}, '\\s*${DATE}${TIME}${OFFSET}?\\s*') AND TRY_CAST(${v} AS TIMESTAMPTZ) IS NOT NULL`,
  },
  {
    type: "guid",
    fits: (v) =>
      `regexp_full_match(${v}, '\\s*\\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\\}?\\s*')`,
  },
];

async function inferFromText(
  session: DuckSession,
  entity: EntitySpec,
  files: readonly SourceFile[],
  found: readonly SourceColumn[],
): Promise<ColumnSpec[]> {
  const columns: ColumnSpec[] = found.map((f) => ({ name: f.name, type: "string" }));
  const source = await bindColumns(session, entity, files, columns, found);
  const aggregates: string[] = [];
  found.forEach((f, i) => {
    const v = quoteDuckdbIdentifier(f.name);
    aggregates.push(`count(${v}) AS n${i}`);
    CANDIDATES.forEach((c, k) => {
      aggregates.push(
        `count_if(${v} IS NOT NULL AND NOT coalesce(${c.fits(v)}, false)) AS c${i}_${k}`,
      );
    });
  });
  const [counts] = await session.query(
    `SELECT ${aggregates.join(", ")} FROM (SELECT * FROM ${source.relation(files.map((f) => f.absPath))} LIMIT ${SAMPLE_ROWS})`,
  );
  return found.map((f, i) => {
    if (Number(counts[`n${i}`]) === 0) return { name: f.name, type: "string" };
    const k = CANDIDATES.findIndex((_, k) => Number(counts[`c${i}_${k}`]) === 0);
    return { name: f.name, type: k < 0 ? "string" : CANDIDATES[k].type };
  });
}
