// Whether a process of this machine still runs: how a lock or a staging folder left by a killed run
// is told from one a live run is using.

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as { code?: string }).code === "EPERM";
  }
}
