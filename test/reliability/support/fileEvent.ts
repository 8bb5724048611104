// What fileEventsProbe.ts (inside the CLI's process) sends the crash check for each file operation.

/** Set to "1" in the CLI's environment to switch the probe on. */
export const FILE_EVENTS_ENV = "SYNAPSE_EXPORT_FILE_EVENTS";

export interface FileEvent {
  /** The operation: rename, writeFile, mkdir, rm... */
  fileEvent: string;
  /** Its first argument: the path (or file descriptor). */
  path: string;
}
