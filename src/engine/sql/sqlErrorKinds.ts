// What an error from Synapse serverless SQL (through mssql/tedious) means for the caller: try again,
// reconnect and try again, wait for a storage grant to apply, or stop. Pure: no I/O, no driver import.
//
// Transient numbers: Microsoft's list for Azure SQL / Synapse ("Troubleshoot transient connection
// errors", the retry logic of Microsoft.Data.SqlClient): 40613 database not currently available,
// 40197 service error processing the request, 40501 service busy, 49918/49919/49920 not enough
// resources / too many operations, 42108/42109 SQL pool paused / warming up, 4221 login to a
// secondary timed out; and from Microsoft.Data.SqlClient's default transient list
// (SqlConfigurableRetryFactory): 4060 cannot open the database requested by the login (a database
// still being created or failed over), 40143 and 40540 service errors processing the request, 10928 /
// 10929 resource limits reached / server too busy, 1205 deadlock victim, 1222 lock request timed out.
// Each is retried on a fresh connection: "freshly establish the connection. Then retry the command"
// (Azure SQL connectivity guidance, "Troubleshoot transient connection errors").
// 3702 "Cannot drop database ... because it is currently in use": its own kind, waited out within the
// same bound, then explained (who must disconnect).
// Storage permission numbers: Synapse "known issues" (query failures in serverless SQL pools)
// and SQL Server's external table errors: 13807 "Content of directory on path '...' cannot be
// listed", 13822 "File '...' cannot be opened because it does not exist or it is used by another
// process", 16536 "Cannot bulk load because the file ... could not be opened", 16561 "External
// table '...' is not accessible because content of directory cannot be listed", 16562 "External
// table '...' is not accessible because location does not exist or it is used by another process".
// All of them are what serverless SQL says when its identity may not read or write the lake.
// 15813 "Error handling external file" whose text is a failed read of the storage ('WaitIOCompletion
// call failed', 'Async IO failed': serverlessFileErrors.ts has where they are written) is a storage
// permission for the HRESULTs Learn gives a token or role for, else transient unless it is a blob in
// the Archive tier or a file changed during the query (the data is not at fault; a moment later the
// same query may read it).
// 40615 "Cannot open server '...' requested by the login. Client with IP address '...' is not allowed
// to access the server. ... It may take up to five minutes for this change to take effect": the
// workspace firewall refused this machine ("IP firewall rules - Azure SQL Database and Azure Synapse
// Analytics", learn.microsoft.com/azure/azure-sql/database/firewall-configure, error 40615; the text
// as microsoft/azure-pipelines-tasks#3981 quotes it; Learn's synapse-workspace-ip-firewall says the
// workspace's rules apply to the serverless endpoint too). Its own kind: a rule this `pulumi up` has
// just made is waited for like a fresh grant, and otherwise the message names the rule to add.
// 15151 "Cannot find the CREDENTIAL ..." is deliberately not here: it means the plan's own
// credential is missing, which waiting does not fix.

import { messageOf } from "../../errors";
import { externalFileError, storageReadFailure } from "./serverlessFileErrors";

export type SqlErrorKind =
  /** The service asked us to come back later. */
  | "transient"
  /** The socket went away or timed out: open a new connection, then try again. */
  | "connection"
  /** DROP DATABASE while sessions are connected to it (3702). */
  | "database-in-use"
  /** Serverless SQL could not reach the lake with its identity: a missing or still-applying grant. */
  | "storage-permission"
  /** The workspace firewall does not let this machine in (40615): a missing or still-applying rule. */
  | "firewall"
  /** No Entra ID token could be had for the SQL endpoint. */
  | "credential"
  | "fatal";

export const TRANSIENT_ERROR_NUMBERS: ReadonlySet<number> = new Set([
  40613, 40197, 40501, 49918, 49919, 49920, 42108, 42109, 4221, 4060, 40143, 40540, 10928, 10929,
  1205, 1222,
]);

export const DATABASE_IN_USE_ERROR = 3702;

export const FIREWALL_ERROR = 40615;

export const STORAGE_PERMISSION_ERROR_NUMBERS: ReadonlySet<number> = new Set([
  13807, 13822, 16536, 16561, 16562,
]);

/** tedious/mssql codes for a connection that was lost, reset, closed or timed out. */
export const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  "ESOCKET",
  "ETIMEOUT",
  "ECONNRESET",
  "ECONNCLOSED",
  "ECLOSE",
]);

export interface SqlErrorFacts {
  /** The server's error number (ERROR token), when there is one. */
  number?: number;
  /** The driver's error code (EREQUEST, ELOGIN, ESOCKET, ...). */
  code?: string;
  message: string;
}

/**
 * The number, code and message of an error as mssql hands it back: a RequestError or
 * ConnectionError whose `originalError` is tedious's error, itself possibly an AggregateError.
 */
export function sqlErrorFacts(error: unknown): SqlErrorFacts {
  const chain: Record<string, unknown>[] = [];
  const visit = (e: unknown): void => {
    if (typeof e !== "object" || e === null || chain.includes(e as Record<string, unknown>)) return;
    const record = e as Record<string, unknown>;
    chain.push(record);
    visit(record.originalError);
    visit(record.cause);
    if (Array.isArray(record.errors)) record.errors.forEach(visit);
  };
  visit(error);
  const number = chain.map((e) => e.number).find((n): n is number => typeof n === "number");
  const code = chain.map((e) => e.code).find((c): c is string => typeof c === "string" && c !== "");
  const messages = chain
    .map((e) => e.message)
    .filter((m): m is string => typeof m === "string" && m.trim() !== "");
  // Wrappers repeat what they wrap: keep each message only if no outer one already says it.
  const distinct = messages.reduce<string[]>(
    (kept, m) => (kept.some((k) => k.includes(m)) ? kept : [...kept, m]),
    [],
  );
  const message = distinct.join(": ") || messageOf(error);
  return { number, code, message };
}

export function classifySqlError(facts: SqlErrorFacts): SqlErrorKind {
  if (facts.number !== undefined && TRANSIENT_ERROR_NUMBERS.has(facts.number)) return "transient";
  if (facts.number === DATABASE_IN_USE_ERROR) return "database-in-use";
  if (facts.number === FIREWALL_ERROR) return "firewall";
  if (facts.number === 15813 || facts.number === 15802) {
    const text = externalFileError(facts.message)?.text;
    const storage = text === undefined ? undefined : storageReadFailure(text);
    if (storage === "transient" || storage === "storage-permission") return storage;
  }
  if (facts.number !== undefined && STORAGE_PERMISSION_ERROR_NUMBERS.has(facts.number)) {
    return "storage-permission";
  }
  if (facts.code === "EFEDAUTH") return "credential";
  if (facts.code !== undefined && CONNECTION_ERROR_CODES.has(facts.code)) return "connection";
  return "fatal";
}

/** The storage account a serverless SQL error message points at (`https://<account>.dfs|blob...`). */
export function storageAccountInMessage(message: string): string | undefined {
  return /https?:\/\/([a-z0-9]{3,24})\.(?:dfs|blob)\.core\.windows\.net/i.exec(message)?.[1];
}
