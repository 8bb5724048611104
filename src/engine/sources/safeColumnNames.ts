// Inferred column names that pass the same rule as declared ones: a source name that is not a SQL
// name (`Airport Name`, `2024 total`, `e-mail`) becomes one (`Airport_Name`, `_2024_total`,
// `e_mail`), and the column keeps the source's name as its `sourceColumn`, which the manifest records
// and `plan` shows. Two source names that would become the same column fail with both names.

import { SQL_NAME_PATTERN } from "../../spec/schema";
import type { ColumnSpec } from "../../spec/types";
import { sameNameKey } from "./nameKey";
import { SourceError } from "./sourceError";

const MAX_NAME_CHARS = 128;

export function sqlSafeName(sourceName: string): string {
  if (SQL_NAME_PATTERN.test(sourceName)) return sourceName;
  let name = sourceName.trim().replace(/[^\p{L}\p{Nd}_]+/gu, "_");
  if (!/^[\p{L}_]/u.test(name)) name = `_${name}`;
  return [...name].slice(0, MAX_NAME_CHARS).join("");
}

/**
 * What the user can do about two names that become one: declare the columns (an inferred source), or,
 * for a model.json, whose attributes are its columns and cannot be declared, rename one attribute.
 */
const TO_DO = {
  inferred: "Declare the entity's columns, naming each source column with sourceColumn.",
  cdm:
    "A model.json's attributes are the entity's columns (they cannot be declared in the spec): " +
    "rename one of the two attributes in Customer Insights, or copy the partitions to a CSV source with declared columns.",
};

export function safeColumnNames(
  entityName: string,
  columns: readonly ColumnSpec[],
  from: keyof typeof TO_DO = "inferred",
): ColumnSpec[] {
  const seen = new Map<string, string>();
  return columns.map((c) => {
    const name = sqlSafeName(c.name);
    const key = sameNameKey(name);
    const other = seen.get(key);
    if (other !== undefined) {
      throw new SourceError(
        `entity "${entityName}": the source columns "${other}" and "${c.name}" would both become the column "${name}". ` +
          TO_DO[from],
      );
    }
    seen.set(key, c.name);
    return name === c.name ? c : { ...c, name, sourceColumn: c.name };
  });
}
