// Source files for tests that run the export: written with a modification time a minute in the past,
// so that the unchanged shortcut's racy-timestamp margin does not make every rerun hash them again.

import * as fs from "node:fs";
import * as path from "node:path";

export function writeSettled(dir: string, file: string, text: string): void {
  const full = path.join(dir, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, text);
  const past = (Date.now() - 60_000) / 1000;
  fs.utimesSync(full, past, past);
}
