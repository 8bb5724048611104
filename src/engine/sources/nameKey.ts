// When two source names are the same name to SQL: Synapse compares object names under the export
// database's collation, which ignores case, width and kana (spec/nameRules.ts foldName), and DuckDB
// ignores case too; NFKC folding makes a full-width `Ｃustomer` the `Customer` it displays as. Two
// such names in one source cannot become two columns.

import { foldName } from "../../spec/nameRules";

export const sameNameKey = foldName;
