// When two source names are the same name to SQL: Synapse compares object names ignoring case under
// the export database's case-insensitive collation, and DuckDB always does; NFKC folding makes a
// full-width `Ｃustomer` the `Customer` it displays as. Two such names in one source cannot become
// two columns.

export function sameNameKey(name: string): string {
  return name.normalize("NFKC").toLowerCase();
}
