// The run's local staging folder: the parts before upload and DuckDB's spill files, as large as an
// entity's export. A run removes its own when it ends, but a SIGKILLed or crashed run cannot: its
// folder's name carries its host and pid, so the next run on this machine removes the folders of
// runs that are gone instead of letting every crash leave hundreds of MB in the temp folder.

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { processAlive } from "../processAlive";

const PREFIX = "synapse-export-staging-";
/** `synapse-export-staging-<pid>@<host>-XXXXXX` (mkdtemp adds the six characters). */
const NAME = /^synapse-export-staging-(\d+)@(.+)-[A-Za-z0-9]{6}$/;

export async function createStagingFolder(root: string): Promise<string> {
  await fs.mkdir(root, { recursive: true });
  await removeAbandoned(root);
  return fs.mkdtemp(path.join(root, `${PREFIX}${process.pid}@${os.hostname()}-`));
}

/** Best effort: a folder that cannot be removed now is tried again by the next run. */
async function removeAbandoned(root: string): Promise<void> {
  const names = await fs.readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m || m[2] !== os.hostname()) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    await fs.rm(path.join(root, name), { recursive: true, force: true }).catch(() => undefined);
  }
}
