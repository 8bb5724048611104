// The input of the crash check: a spec of three CSV entities, their deterministic rows, a change
// that makes a new snapshot due (rows appended, a "version" per kill), and what each version should
// read as — row count and a content checksum computed by DuckDB from the CSV itself, never from what
// the export wrote, so a wrong or partial snapshot cannot agree with it by construction.

import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";

export const ENTITIES = ["Customer", "Orders", "Segments"] as const;
export type EntityName = (typeof ENTITIES)[number];

/** Declared in the spec, and the types the checksum reads the CSV with: the view must agree. */
export const COLUMNS = [
  { name: "id", type: "int64", duckdb: "BIGINT" },
  { name: "key", type: "guid", duckdb: "VARCHAR" },
  { name: "name", type: "string", duckdb: "VARCHAR" },
  { name: "email", type: "string", duckdb: "VARCHAR" },
  { name: "amount", type: "decimal", precision: 18, scale: 2, duckdb: "DECIMAL(18,2)" },
  { name: "createdOn", type: "dateTime", duckdb: "TIMESTAMP" },
  { name: "active", type: "boolean", duckdb: "BOOLEAN" },
] as const;

export interface Expected {
  rows: number;
  /** sum(hash(every column)) as a decimal string: equal contents, equal checksum, in any row order. */
  checksum: string;
}

export const SPEC_FILE = "crash.spec.yaml";
export const DATABASE = "crash_export";
export const CONTAINER = "ci-export";
export const RETAIN_SNAPSHOTS = 2;

export function specYaml(): string {
  const columns = COLUMNS.map((c) => {
    const extra = "precision" in c ? `, precision: ${c.precision}, scale: ${c.scale}` : "";
    return `        - { name: ${c.name}, type: ${c.type}${extra} }`;
  }).join("\n");
  const entities = ENTITIES.map(
    (e) => `    - name: ${e}\n      source: data/${e}.csv\n      columns:\n${columns}`,
  ).join("\n");
  return `# Written by test/reliability/support/crashData.ts: the input of the crash check.
connection:
  displayName: crash check
  usableBy: administrators
  dataPrivacyConsent: true
  subscriptionId: 11111111-2222-3333-4444-555555555555
  workspace: { name: ws-crash, resourceGroupName: rg-crash }
  storage: { accountName: stcrash, container: ${CONTAINER}, resourceGroupName: rg-crash }
principals:
  customerInsights: { appId: 0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff }
  administrator: { userPrincipalName: admin@contoso.com }
export:
  displayName: Crash check
  databaseName: ${DATABASE}
  format: parquet
  retainSnapshots: ${RETAIN_SNAPSHOTS}
  entities:
${entities}
`;
}

export function csvPath(specDir: string, entity: EntityName): string {
  return path.join(specDir, "data", `${entity}.csv`);
}

/**
 * Rows `from` (inclusive) to `to` (exclusive) of an entity, as a DuckDB query. Pure functions of the
 * row number and the entity, so every run of the check writes the same bytes. Names hold commas (the
 * CSV quotes them) and accents; amounts are exact decimals; keys are GUID-shaped.
 */
function rowsQuery(entity: EntityName, from: number, to: number): string {
  const salt = ENTITIES.indexOf(entity) * 1_000_003;
  const h = `hash(i + ${salt})`;
  return `SELECT i AS id,
      printf('%08x-%04x-4%03x-a%03x-%012x', ${h} >> 32, ${h} & 65535, (${h} >> 16) & 4095,
             (${h} >> 40) & 4095, hash(i + ${salt} + 1) >> 16) AS key,
      'Name ' || ((i * 7919 + ${salt}) % 100003) || ', Éa ' || (${h} % 1000000007) AS name,
      'user' || i || '@example.com' AS email,
      ((i * 37 + ${salt}) % 10000000) / 100.0 AS amount,
      TIMESTAMP '2020-01-01' + to_seconds(i * 13 + ${salt}) AS createdOn,
      (i % 3 = 0) AS active
    FROM range(${from}, ${to}) t(i)`;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Writes the spec and every entity's CSV of `rows` rows (version 0). */
export async function writeInput(
  db: DuckDBConnection,
  specDir: string,
  rows: number,
): Promise<void> {
  await fs.mkdir(path.join(specDir, "data"), { recursive: true });
  await fs.writeFile(path.join(specDir, SPEC_FILE), specYaml());
  for (const e of ENTITIES) {
    await db.run(
      `COPY (${rowsQuery(e, 0, rows)}) TO ${quote(csvPath(specDir, e))} (HEADER, DELIMITER ',')`,
    );
  }
}

/**
 * Version `version` (1, 2, ...): `count` more rows appended to every entity's CSV, so each source
 * changes and a new snapshot is due. Appending costs little, and the run still reads every byte.
 */
export async function appendVersion(
  db: DuckDBConnection,
  specDir: string,
  baseRows: number,
  version: number,
  count: number,
): Promise<void> {
  const from = baseRows + (version - 1) * count;
  for (const e of ENTITIES) {
    const piece = `${csvPath(specDir, e)}.append`;
    await db.run(
      `COPY (${rowsQuery(e, from, from + count)}) TO ${quote(piece)} (HEADER false, DELIMITER ',')`,
    );
    await fs.appendFile(csvPath(specDir, e), await fs.readFile(piece));
    await fs.rm(piece);
  }
}

/** The checksum expression over the columns, the same for a CSV read and for a view. */
export const CHECKSUM_SQL = `count(*)::BIGINT AS n, sum(hash(${COLUMNS.map((c) => `"${c.name}"`).join(", ")}))::VARCHAR AS h`;

/** What every entity's source reads as now, straight from its CSV. */
export async function expectedFromSources(
  db: DuckDBConnection,
  specDir: string,
): Promise<Record<EntityName, Expected>> {
  const types = COLUMNS.map((c) => `${quote(c.name)}: ${quote(c.duckdb)}`).join(", ");
  const out = {} as Record<EntityName, Expected>;
  for (const e of ENTITIES) {
    const reader = await db.runAndReadAll(
      `SELECT ${CHECKSUM_SQL} FROM read_csv(${quote(csvPath(specDir, e))}, header = true,
         auto_detect = false, delim = ',', quote = '"', columns = {${types}})`,
    );
    const [row] = reader.getRowObjectsJS() as { n: bigint; h: string }[];
    out[e] = { rows: Number(row.n), checksum: row.h };
  }
  return out;
}
