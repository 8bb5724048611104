// A source that cannot be exported as it is: its message names the entity, the file and what to change.
import { ExportError } from "../../errors";

export class SourceError extends ExportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("data", message, options);
    this.name = "SourceError";
  }
}
