// Faults the TDS test server injects into logins and batches, so tests can watch SynapseSql's retries
// and messages the way a busy or failing serverless SQL endpoint provokes them: an ERROR token with a
// transient error number (or any other), a connection reset without an answer, and a slow answer.
// Faults come from a rate: a seeded random share of the logins and batches a filter matches.
//
// The transient numbers and their messages are the ones Microsoft lists for Azure SQL and Synapse
// ("Troubleshoot transient connection errors in SQL Database and SQL Managed Instance", and
// Microsoft.Data.SqlClient's SqlConfigurableRetryFactory.BaselineTransientErrors); SynapseSql's
// sqlErrorKinds.ts retries the same list.

import { seededRandom } from "../../../scripts/lib/seededRandom";
import type { ServerMessage } from "./tokens";

export type TdsFault =
  /** Answer with an ERROR token and DONE(ERROR): a refused login or a failed batch. */
  | { kind: "error"; error: ServerMessage }
  /** Destroy the socket without answering (a connection reset). */
  | { kind: "drop" }
  /** Answer normally, but only after `ms`; an ATTENTION from the client meanwhile cancels the answer. */
  | { kind: "delay"; ms: number };

/** What a fault filter sees: a login (after its token arrived) or a batch (never tedious's session setup). */
export interface TdsRequestSummary {
  kind: "login" | "batch";
  database: string;
  /** The batch's text; empty for a login. */
  text: string;
}

export type TdsRequestFilter = (request: TdsRequestSummary) => boolean;

export const TRANSIENT_SQL_ERRORS: readonly ServerMessage[] = [
  {
    number: 40613,
    message:
      "Database 'ci_export' on server 'testws-ondemand' is not currently available. Please retry the connection later.",
    class: 17,
  },
  {
    number: 40197,
    message:
      "The service has encountered an error processing your request. Please try again. Error code 4815.",
    class: 20,
  },
  {
    number: 40501,
    message: "The service is currently busy. Retry the request after 10 seconds.",
    class: 20,
  },
  {
    number: 49918,
    message: "Cannot process request. Not enough resources to process request.",
    class: 16,
  },
  {
    number: 49919,
    message:
      "Cannot process create or update request. Too many create or update operations in progress.",
    class: 16,
  },
  {
    number: 49920,
    message: "Cannot process request. Too many operations in progress.",
    class: 16,
  },
  // Microsoft.Data.SqlClient's default transient list adds these (SqlConfigurableRetryFactory; the
  // messages as the Azure SQL error tables and EF Core's SqlServerTransientExceptionDetector give them).
  {
    number: 4060,
    message: `Cannot open database "ci_export" requested by the login. The login failed.`,
    class: 11,
  },
  {
    number: 40143,
    message: "The service has encountered an error processing your request. Please try again.",
    class: 16,
  },
  {
    number: 40540,
    message: "The service has encountered an error processing your request. Please try again.",
    class: 16,
  },
  {
    number: 10928,
    message: "Resource ID: 1. The request limit for the database is 30 and has been reached.",
    class: 16,
  },
  {
    number: 10929,
    message:
      "Resource ID: 1. The request minimum guarantee is 0, maximum limit is 30 and the current usage for the database is 30. However, the server is currently too busy to support requests greater than 0 for this database.",
    class: 16,
  },
  {
    number: 1205,
    message:
      "Transaction (Process ID 57) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.",
    class: 13,
  },
  { number: 1222, message: "Lock request time out period exceeded.", class: 16 },
];

/** One fault per transient error number, for setRate. */
export function transientErrorFaults(): TdsFault[] {
  return TRANSIENT_SQL_ERRORS.map((error) => ({ kind: "error", error }));
}

interface FaultRate {
  probability: number;
  faults: TdsFault[];
  match: TdsRequestFilter;
  random: () => number;
}

export class TdsFaultPlan {
  private rate: FaultRate | undefined;
  /** How many faults were injected so far. */
  injected = 0;

  /** Inject one of `faults`, at random, into a `probability` share of the logins and batches that `match`. */
  setRate(
    probability: number,
    faults: TdsFault[],
    options: { match?: TdsRequestFilter; seed?: number } = {},
  ): void {
    if (faults.length === 0) throw new Error("setRate needs at least one fault to inject.");
    this.rate = {
      probability,
      faults,
      match: options.match ?? (() => true),
      random: seededRandom(options.seed ?? 1),
    };
  }

  clear(): void {
    this.rate = undefined;
  }

  next(request: TdsRequestSummary): TdsFault | undefined {
    const rate = this.rate;
    if (!rate || !rate.match(request) || rate.random() >= rate.probability) return undefined;
    this.injected += 1;
    return rate.faults[Math.floor(rate.random() * rate.faults.length)];
  }
}
