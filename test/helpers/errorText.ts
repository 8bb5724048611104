// The text of a run record's error, whether the record keeps it as a string or as `{ kind, message }`
// (issue 14.5 moves the run record to the latter), so tests assert on what the user reads.
export function errorText(record: { error?: unknown } | undefined): string {
  const error = record?.error;
  if (error === undefined || error === null) return "";
  if (typeof error === "string") return error;
  if (typeof error === "object" && "message" in error) return String(error.message);
  return String(error);
}
