// One SQL statement of a plan and the database it runs in. Serverless SQL takes one DDL statement per
// batch and CREATE DATABASE only from master, so a plan is a list of these, never a script.

export interface SqlStatement {
  /** `master` for CREATE DATABASE, else the export database. */
  database: string;
  statement: string;
  /** Why the statement is there, for `plan` and for error messages. */
  purpose?: string;
}
