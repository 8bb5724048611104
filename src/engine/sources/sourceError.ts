// A source that cannot be exported as it is: its message names the entity, the file and what to change.
export class SourceError extends Error {
  override readonly name = "SourceError";
}
