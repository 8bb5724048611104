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
// - 'Unexpected end-of-input within record at [byte: N]. ': the file ends inside a record. An unclosed
//   quote makes it do so; so does a file read while it is being written (Learn, "Export to Data Lake in
//   finance and operations apps", FAQ, describes it as that contention, cured by a retry). Quoted among
//   the serverless errors a retry helper traps (found by the text; its repository is not certain).
//   What byte N points at is not documented, so it is passed on as serverless said it.
// - 'WaitIOCompletion call failed. HRESULT = ...' (self-help, "WaitIOCompletion call failed", which
//   splits it by HRESULT: 0x80070005 and 0x80070057 an expired token or a missing storage role,
//   0x800700A1 a blob in the Archive tier, 0x80070002 a file deleted and 0x8007000C one modified during
//   the query, 0x80070008 and 0x80072EE7 transient), and 'waitIOCompletion error' / 'Async IO failed'
//   (the same helper retries these): a failed read of the storage, not of the data. sqlErrorKinds.ts
//   classifies them by `storageReadFailure`; this file leaves them alone.
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
  next: "find-row" | "run-again" | "declare-type" | "rehydrate" | undefined;
  /** The entity's column serverless named, for `declare-type`. */
  column?: string;
  said: string;
}

const EXTERNAL_FILE =
  /Error handling external file: '([\s\S]*?)'\.?\s+(?:File\/External table name|File): '([^']*)'/;
const END_OF_INPUT = /^Unexpected end-of-input within record at \[byte: (\d+)\]/i;
const MAX_ERRORS = /^Max errors? count reached/i;
/** A failed read of the storage itself (see above), not the data's fault. */
const STORAGE_IO_FAILURE = /^(?:Async IO failed|waitIOCompletion (?:error|call failed))/i;
const PERMISSION_HRESULTS = new Set(["0x80070005", "0x80070057"]);
/** A file deleted or modified during the query: the run's second listing names it. */
const CHANGED_HRESULTS = new Set(["0x80070002", "0x8007000c"]);
const ARCHIVE_HRESULT = "0x800700a1";

/**
 * What a 15813 about a failed storage read means (see above), or undefined when its text is not one:
 * a grant, a blob in the Archive tier, a file changed during the query, else transient.
 */
export function storageReadFailure(
  text: string,
): "storage-permission" | "archived" | "changed" | "transient" | undefined {
  if (!STORAGE_IO_FAILURE.test(text)) return undefined;
  const hresult = /HRESULT = (0x[0-9a-f]{8})/i.exec(text)?.[1].toLowerCase();
  if (hresult === undefined) return "transient";
  if (PERMISSION_HRESULTS.has(hresult)) return "storage-permission";
  if (hresult === ARCHIVE_HRESULT) return "archived";
  if (CHANGED_HRESULTS.has(hresult)) return "changed";
  return "transient";
}
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
  if (!external) return undefined;
  const { text, file } = external;
  const storage = storageReadFailure(text);
  if (storage === "archived") {
    return {
      file,
      problem:
        "the blob is in the Archive access tier, which serverless cannot read (self-help, WaitIOCompletion 0x800700A1)",
      next: "rehydrate",
      said,
    };
  }
  if (storage !== undefined) return undefined;
  const endOfInput = END_OF_INPUT.exec(text);
  if (endOfInput) {
    return {
      file,
      problem: `the file ends inside a row (serverless reports byte ${endOfInput[1]}): most likely a quoted field is not closed (a quote inside a quoted field is written twice), or the file was being written while serverless read it`,
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
