// The question a newcomer asks the exported data first: which segments are largest, and what are
// their customers worth? It joins two of the export's views (segment membership and the customer
// measures) in the local database, exactly as it would join them in Synapse serverless SQL.

import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";

export const TOP_SEGMENTS_SQL = `SELECT s.SegmentName AS segment,
       count(DISTINCT s.CustomerId) AS customers,
       round(avg(m.LifetimeValue), 2) AS avg_lifetime_value,
       sum(m.LifetimeValue) AS total_lifetime_value
FROM Segments AS s
JOIN CustomerMeasure AS m ON m.CustomerId = s.CustomerId
GROUP BY s.SegmentName
ORDER BY customers DESC, segment
LIMIT 5`;

export interface SegmentValue {
  segment: string;
  customers: number;
  avgLifetimeValue: number;
  totalLifetimeValue: number;
}

/** Opens the database file read-only: the demo reads what the export published, it changes nothing. */
export async function queryTopSegments(databaseFile: string): Promise<SegmentValue[]> {
  const instance = await DuckDBInstance.create(databaseFile, {
    access_mode: "READ_ONLY",
    autoinstall_known_extensions: "false",
  });
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    const reader = await connection.runAndReadAll(TOP_SEGMENTS_SQL);
    return reader.getRowObjectsJS().map((r) => ({
      segment: String(r.segment),
      customers: Number(r.customers),
      avgLifetimeValue: Number(r.avg_lifetime_value),
      totalLifetimeValue: Number(r.total_lifetime_value),
    }));
  } finally {
    connection?.closeSync();
    instance.closeSync();
  }
}
