// What serverless SQL says when it cannot read a file of a lake-resident source, in words a user can
// act on: which file, what is wrong with it. Pure: no I/O, no driver import (as sqlErrorKinds.ts).
//
// The texts, and where they are written:
// - 15813 "Error handling external file: '%s'. File/External table name: '%ls'." (the engine's error
//   list, learn.microsoft.com/sql/relational-databases/errors-events/database-engine-events-and-
//   errors-15000-to-15999). A distributed query may carry it inside 15802 "Request to perform an
//   external distributed computation has failed with error "[[Error handling external file: '...'.
//   File: '<url>'. (Number: 15813, Severity: 16, State: 1)]]"", with `File:` for the name (as a
//   public script over the pandemicdatalake ecdc_cases.csv quotes it; the wrapper is not on Learn).
// - Its first text 'Max errors count reached': "a mismatch of a specified column type and the data
//   that needs to be loaded", and under PARSER_VERSION 2.0 nothing says which row or column (Learn,
//   resources-self-help-sql-on-demand, "Query fails with error while handling an external file (max
//   error count reached)"). The plan reads every CSV column as varchar(8000) and casts in SQL
//   (renderCetas.ts), so here it means a value longer than 8000 bytes, or a row that does not split
//   into the columns.
// - 'Unexpected end-of-input within record at [byte: N]. ': the file ends inside a record, which an
//   unclosed quote makes it do. Not on Learn: quoted among the serverless errors a retry helper traps
//   in Microsoft's microsoft/Dynamics-365-FastTrack-Implementation-Assets. What byte N points at is
//   not documented, so it is passed on as serverless said it.
// - 'Async IO failed...' and 'waitIOCompletion error...': the same helper retries these; Learn's
//   "WaitIOCompletion call failed" (self-help) is a failed read of the storage, not of the data:
//   sqlErrorKinds.ts takes them as transient, and this file leaves them alone.
// - 15814 "Column '%s' of type '%s' is not compatible with external data type '%s'. File/External
//   table name: '%ls'." (the same list), as self-help shows it for a Parquet column: "Column
//   'SumTripDistance' of type 'INT' is not compatible with external data type 'Parquet physical type:
//   DOUBLE', please try with 'FLOAT'. File/External table name: '...'" ("Column [column-name] of
//   type [type-name] is not compatible with external data type [external-data-type-name]").
// - 4861 "Cannot bulk load because the file "..." could not be opened. Operating system error code
//   12(The access code is invalid.).": the file was modified while the query read it (self-help,
//   "Cannot bulk load because the file could not be opened"; 4861 is that message's number in the
//   engine's error list, 4000 to 4999).

/** One file serverless could not read, and why, in words; `said` is serverless's own text. */
export interface ServerlessFileProblem {
  file: string;
  problem: string;
  /**
   * What fixes it: find the row (serverless does not say which) and correct it; run again (the file
   * changed while it was read); declare the column's type to match the file (`column` names it).
   */
  next: "find-row" | "run-again" | "declare-type" | undefined;
  /** The entity's column serverless named, for `declare-type`. */
  column?: string;
  said: string;
}

const EXTERNAL_FILE =
  /Error handling external file: '([\s\S]*?)'\.?\s+(?:File\/External table name|File): '([^']*)'/;
const END_OF_INPUT = /^Unexpected end-of-input within record at \[byte: (\d+)\]/i;
const MAX_ERRORS = /^Max errors? count reached/i;
/** A failed read of the storage itself (see above): transient, not the data's fault. */
export const STORAGE_IO_FAILURE = /^(?:Async IO failed|waitIOCompletion error)/i;
const CHANGED_DURING_READ =
  /Cannot bulk load because the file "([^"]+)" could not be opened\. Operating system error code 12\b/;
const NOT_COMPATIBLE =
  /Column '([^']*)' of type '([^']*)' is not compatible with external data type '([^']*)'(?:, please try with '([^']*)')?\. File\/External table name: '([^']*)'/;

/** The text inside 15813 (or 15802 wrapping it) and the file it names, when the message has them. */
export function externalFileError(message: string): { text: string; file: string } | undefined {
  const found = EXTERNAL_FILE.exec(message);
  return found ? { text: found[1].trim(), file: found[2] } : undefined;
}

/**
 * What serverless's error says is wrong with a source file, or undefined when it is not about one
 * file's content (a grant, a transient read failure, a statement of ours).
 */
export function serverlessFileProblem(
  number: number | undefined,
  message: string,
): ServerlessFileProblem | undefined {
  const said = message;
  const changed = CHANGED_DURING_READ.exec(message);
  if (number === 4861 && changed) {
    return {
      file: changed[1],
      problem:
        "it was written while serverless SQL read it (serverless cannot read a file that changes during a query)",
      next: "run-again",
      said,
    };
  }
  const incompatible = number === 15814 ? NOT_COMPATIBLE.exec(message) : null;
  if (incompatible) {
    const [, column, type, external, suggested, file] = incompatible;
    const hint = suggested ? ` (serverless suggests ${suggested})` : "";
    return {
      file,
      problem: `its column ${column} holds ${external}, which the entity's column type (T-SQL ${type}) cannot take${hint}`,
      next: "declare-type",
      column,
      said,
    };
  }
  if (number !== 15813 && number !== 15802) return undefined;
  const external = externalFileError(message);
  if (!external || STORAGE_IO_FAILURE.test(external.text)) return undefined;
  const { text, file } = external;
  const endOfInput = END_OF_INPUT.exec(text);
  if (endOfInput) {
    return {
      file,
      problem: `the file ends inside a row (serverless reports byte ${endOfInput[1]}): a quoted field is not closed. A quote inside a quoted field is written twice ("")`,
      next: "find-row",
      said,
    };
  }
  if (MAX_ERRORS.test(text)) {
    return {
      file,
      problem:
        "a row does not fit the entity's columns: most likely a value longer than the 8000 bytes serverless reads of a CSV column, or a row that does not split into the columns as the source's dialect says (delimiter, quote, row terminator). Serverless's CSV parser 2.0 does not say which row",
      next: "find-row",
      said,
    };
  }
  // A text not documented: serverless's words, and no advice that could be wrong.
  return { file, problem: `serverless could not read it: ${text}`, next: undefined, said };
}
