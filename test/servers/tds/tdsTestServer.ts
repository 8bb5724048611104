// A loopback TDS 7.4 server, just enough of Synapse serverless SQL for tests to drive the real `mssql`
// driver (tedious 19) through Entra ID login, batches, errors and dropped connections. No SQL
// Server can be installed on this machine, and tedious talks to nothing else.
//
// Built from Microsoft's open specification [MS-TDS] (Tabular Data Stream Protocol):
//   2.2.3.1 packet header; 2.2.6.5 PRELOGIN; 2.2.6.4 LOGIN7 with the FEDAUTH FeatureExt;
//   2.2.6.3 Federated Authentication Token; 2.2.6.7 SQLBatch; 2.2.7 tokens (see tokens.ts);
//   3.3.5.1 Initial State (PRELOGIN answered, no TLS when encryption is not supported);
//   3.3.5.5 Login Ready (FEDAUTHREQUIRED must match fFedAuthEcho); 2.2.1.3 the FEDAUTHINFO /
//   token exchange for a client library that needs the server's STS URL and SPN first.
// and from how tedious 19 reads and sends them (lib/connection.js, lib/login7-payload.js,
// lib/prelogin-payload.js, lib/token/*-parser.js). For a `token-credential` login tedious sends
// PRELOGIN with FEDAUTHREQUIRED=1, then LOGIN7 with FEDAUTH library ADAL and the integrated
// workflow; it waits for FEDAUTHINFO, asks its credential for `<SPN>/.default`, and sends the token
// in a FEDAUTH_TOKEN message. The server records that token, then answers as a login response:
// ENVCHANGE (database), INFO 5701, ENVCHANGE (packet size), LOGINACK, FEATUREEXTACK (FEDAUTH), DONE.
//
// Strict mode (`start({ model })`, see serverlessModel.ts): the server then checks each token's audience
// and expiry, knows which principal signs in, refuses a database never created (4060), and answers
// each batch as serverless would from the logins, users, grants and objects its DDL created, with 102
// for any statement shape the golden files and the docs do not allow.
//
// Tests script answers per batch (by regex), fail logins, drop connections, inject faults at a seeded
// rate into logins and batches (`faults`, see faults.ts), and set the EngineEdition that
// `SERVERPROPERTY('EngineEdition')` reports (11 is serverless SQL). Each batch records how it was
// answered, so a test can tell the statements that took effect from those that failed.

import * as net from "node:net";
import {
  clientAskedForFedAuth,
  FedAuthLibrary,
  FedAuthRequest,
  Login7,
  parseFedAuthToken,
  parseLogin7,
  parsePrelogin,
  parseSqlBatch,
  preloginResponse,
} from "./clientMessages";
import { TdsFaultPlan, type TdsFault } from "./faults";
import { encodeMessage, MessageReader, PacketType, TdsMessage } from "./packets";
import type { ServerlessModel, Session } from "./serverlessModel";
import * as t from "./tokens";

export type { Column, ServerMessage } from "./tokens";
export type { TdsFault, TdsRequestSummary } from "./faults";

export interface ResultSet {
  columns: t.Column[];
  rows: unknown[][];
}

/**
 * How the server answers a batch: a result set, an ERROR token, or a dropped connection. A statement
 * without a result set that reports rows affected (CETAS, see tds/cetas.ts) sets `rowsAffected`: the
 * DONE token then carries DONE_COUNT and the count ([MS-TDS] 2.2.7.6), which tedious reports as the
 * request's rowCount and mssql as `rowsAffected`.
 */
export type BatchAnswer =
  { rows: ResultSet; rowsAffected?: number } | { error: t.ServerMessage } | { drop: true };

export interface RecordedBatch {
  connection: number;
  /** The database the connection was in when the batch arrived. */
  database: string;
  text: string;
  /** tedious's own `set textsize ...` batch, sent once per connection right after login. */
  sessionSetup: boolean;
  /**
   * How the server answered: `ok` (DONE without error), `error` (an ERROR token, see errorNumber),
   * `dropped` (the socket was destroyed instead) or `cancelled` (the client sent ATTENTION first).
   * Undefined while an answer is still pending.
   */
  outcome?: "ok" | "error" | "dropped" | "cancelled";
  errorNumber?: number;
  /** The fault the rate injected into this batch, if any. */
  fault?: TdsFault;
}

export interface RecordedLogin {
  connection: number;
  database: string;
  fedAuth?: FedAuthRequest;
  accessToken?: string;
  /** The error number the login was failed with (scripted, or the strict model's refusal). */
  failedWith?: number;
  /** Why the strict model refused it (serverless only ever says 18456 to the client). */
  failedBecause?: string;
  /** The fault the rate injected into this login, if any. */
  fault?: TdsFault;
}

interface Connection {
  id: number;
  socket: net.Socket;
  database: string;
  packetSize: number;
  fedAuthRequired: boolean;
  batches: number;
  login?: Login7;
  record?: RecordedLogin;
  /** Who signed in, in strict mode. */
  session?: Session;
  /** A slow answer not sent yet, and the batch it answers: ATTENTION cancels it. */
  pending?: { timer: NodeJS.Timeout; batch: RecordedBatch };
}

const STS_URL = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/";
const SQL_SPN = "https://database.windows.net/";

export class TdsTestServer {
  readonly batches: RecordedBatch[] = [];
  readonly logins: RecordedLogin[] = [];
  /** What SERVERPROPERTY('EngineEdition') returns: 11 serverless SQL, 6 dedicated pool, 5 SQL DB. */
  engineEdition = 11;
  /** Faults at a seeded rate, on logins and batches. */
  readonly faults = new TdsFaultPlan();

  private readonly server = net.createServer((socket) => this.accept(socket));
  private readonly sockets = new Set<net.Socket>();
  private scripts: { match: RegExp; answer: BatchAnswer; remaining: number }[] = [];
  private loginFailures: { error: t.ServerMessage; remaining: number }[] = [];
  private dropOnStatement?: number;
  private connections = 0;

  private readonly connectionsOpen = new Set<Connection>();

  private constructor(
    private readonly serverName: string,
    /** Strict mode: serverless's logins, users, grants and objects, learnt from the DDL it ran. */
    readonly model?: ServerlessModel,
  ) {}

  static async start(
    serverName = "testws-ondemand",
    options: { model?: ServerlessModel } = {},
  ): Promise<TdsTestServer> {
    const s = new TdsTestServer(serverName, options.model);
    await new Promise<void>((resolve, reject) => {
      s.server.once("error", reject);
      s.server.listen(0, "127.0.0.1", () => resolve());
    });
    return s;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Answer the next `times` batches whose text matches (first matching script wins). */
  answer(match: RegExp, answer: BatchAnswer, times = Infinity): this {
    this.scripts.push({ match, answer, remaining: times });
    return this;
  }

  /** Fail the next `times` logins with this error instead of LOGINACK. */
  failLogins(error: t.ServerMessage, times: number): this {
    this.loginFailures.push({ error, remaining: times });
    return this;
  }

  /** Close the socket without answering when the n-th statement (1-based, see statements()) arrives. */
  dropConnectionOnBatch(n: number): this {
    this.dropOnStatement = n;
    return this;
  }

  /** Every batch a client sent, in arrival order, without tedious's per-connection session setup. */
  statements(): { database: string; text: string; connection: number }[] {
    return this.batches
      .filter((b) => !b.sessionSetup)
      .map(({ database, text, connection }) => ({ database, text, connection }));
  }

  /** The statements the server answered without error, in order: what took effect. */
  answeredStatements(): { database: string; text: string; connection: number }[] {
    return this.batches
      .filter((b) => !b.sessionSetup && b.outcome === "ok")
      .map(({ database, text, connection }) => ({ database, text, connection }));
  }

  /** Client sockets still open, to check that a client closed what it opened. */
  get openConnections(): number {
    return this.sockets.size;
  }

  accessTokens(): string[] {
    return this.logins.flatMap((l) => (l.accessToken ? [l.accessToken] : []));
  }

  async close(): Promise<void> {
    this.faults.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const conn: Connection = {
      id: ++this.connections,
      socket,
      database: "master",
      packetSize: 4096,
      fedAuthRequired: false,
      batches: 0,
    };
    this.connectionsOpen.add(conn);
    const reader = new MessageReader();
    socket.on("data", (chunk) => {
      try {
        for (const message of reader.push(chunk)) this.onMessage(conn, message);
      } catch {
        socket.destroy();
      }
    });
    // Clients reset sockets as part of what the tests provoke; that is not a server failure.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.sockets.delete(socket);
      this.connectionsOpen.delete(conn);
      if (conn.pending) {
        clearTimeout(conn.pending.timer);
        conn.pending.batch.outcome = "dropped";
        conn.pending = undefined;
      }
    });
  }

  private send(conn: Connection, tokens: Buffer[]): void {
    const payload = Buffer.concat(tokens);
    conn.socket.write(encodeMessage(PacketType.TABULAR_RESULT, payload, conn.packetSize));
  }

  private onMessage(conn: Connection, message: TdsMessage): void {
    switch (message.type) {
      case PacketType.PRELOGIN: {
        conn.fedAuthRequired = clientAskedForFedAuth(parsePrelogin(message.payload));
        this.send(conn, [preloginResponse({ fedAuthRequired: conn.fedAuthRequired })]);
        return;
      }
      case PacketType.LOGIN7:
        return this.onLogin7(conn, parseLogin7(message.payload));
      case PacketType.FEDAUTH_TOKEN:
        if (conn.record) conn.record.accessToken = parseFedAuthToken(message.payload);
        return this.completeLogin(conn);
      case PacketType.SQL_BATCH:
        return this.onBatch(conn, parseSqlBatch(message.payload));
      case PacketType.ATTENTION:
        // [MS-TDS] 3.3.5.9: a request still running is cancelled, and the attention is acknowledged
        // with DONE(ATTN). The cancelled request's response ends first, in its own message: tedious
        // (like the "Sent Attention" rules of 3.2.5.7) reads one message as that response and waits
        // for the acknowledgement in the next one, until its cancel timeout.
        if (conn.pending) {
          clearTimeout(conn.pending.timer);
          conn.pending.batch.outcome = "cancelled";
          conn.pending = undefined;
          this.send(conn, [t.done(t.DoneStatus.FINAL)]);
        }
        return this.send(conn, [t.done(t.DoneStatus.ATTN)]);
      default:
        conn.socket.destroy();
    }
  }

  private onLogin7(conn: Connection, login: Login7): void {
    conn.login = login;
    conn.packetSize = login.packetSize;
    conn.record = {
      connection: conn.id,
      database: login.database || "master",
      fedAuth: login.fedAuth,
    };
    this.logins.push(conn.record);
    const fedAuth = login.fedAuth;
    if (!fedAuth) {
      return this.refuseLogin(conn, {
        number: 18456,
        message: "Login failed for user ''.",
        class: 14,
      });
    }
    if (fedAuth.echo !== conn.fedAuthRequired) {
      return this.refuseLogin(conn, {
        number: 18456,
        message: "Login failed: fFedAuthEcho does not match the server's FEDAUTHREQUIRED.",
        class: 14,
      });
    }
    if (fedAuth.library === FedAuthLibrary.SECURITYTOKEN) {
      conn.record.accessToken = fedAuth.token;
      return this.completeLogin(conn);
    }
    // ADAL: the client needs the STS URL and SPN before it can get a token; FEDAUTHINFO goes alone.
    this.send(conn, [t.fedAuthInfo(STS_URL, SQL_SPN)]);
  }

  private refuseLogin(conn: Connection, error: t.ServerMessage): void {
    if (conn.record) conn.record.failedWith = error.number;
    this.send(conn, [t.error(error, this.serverName), t.done(t.DoneStatus.ERROR)]);
  }

  private completeLogin(conn: Connection): void {
    const failure = this.loginFailures.find((f) => f.remaining > 0);
    if (failure) {
      failure.remaining--;
      return this.refuseLogin(conn, failure.error);
    }
    const database = conn.login?.database || "master";
    const fault = this.faults.next({ kind: "login", database, text: "" });
    if (conn.record && fault) conn.record.fault = fault;
    if (fault?.kind === "error") return this.refuseLogin(conn, fault.error);
    if (fault?.kind === "drop") return void conn.socket.destroy();
    if (fault?.kind === "delay") {
      setTimeout(() => {
        if (!conn.socket.destroyed) this.checkLogin(conn);
      }, fault.ms);
      return;
    }
    this.checkLogin(conn);
  }

  /** In strict mode, the token and the database decide; otherwise every login is accepted. */
  private checkLogin(conn: Connection): void {
    if (this.model) {
      const outcome = this.model.login(conn.record?.accessToken, conn.login?.database || "master");
      if ("error" in outcome) {
        if (conn.record) conn.record.failedBecause = (outcome.error as { why?: string }).why;
        return this.refuseLogin(conn, outcome.error);
      }
      conn.session = outcome;
    }
    this.acceptLogin(conn);
  }

  private acceptLogin(conn: Connection): void {
    conn.database = conn.login?.database || "master";
    const size = String(conn.packetSize);
    this.send(conn, [
      t.envChange(t.EnvChangeType.DATABASE, conn.database, "master"),
      t.info(
        { number: 5701, message: `Changed database context to '${conn.database}'.` },
        this.serverName,
      ),
      t.envChange(t.EnvChangeType.PACKET_SIZE, size, size),
      t.loginAck("Microsoft SQL Server", [12, 0, 0x07, 0xd0]),
      t.featureExtAck([{ id: t.FeatureId.FEDAUTH, data: Buffer.alloc(0) }]),
      t.done(t.DoneStatus.FINAL),
    ]);
  }

  private onBatch(conn: Connection, text: string): void {
    const sessionSetup = conn.batches++ === 0 && /^set /i.test(text);
    const batch: RecordedBatch = {
      connection: conn.id,
      database: conn.database,
      text,
      sessionSetup,
    };
    this.batches.push(batch);
    if (sessionSetup) {
      batch.outcome = "ok";
      return this.send(conn, [t.done(t.DoneStatus.FINAL)]);
    }

    const statementNumber = this.batches.filter((b) => !b.sessionSetup).length;
    if (statementNumber === this.dropOnStatement) return this.drop(conn, batch);

    const fault = this.faults.next({ kind: "batch", database: conn.database, text });
    if (fault) batch.fault = fault;
    if (fault?.kind === "error") return this.reply(conn, batch, { error: fault.error });
    if (fault?.kind === "drop") return this.drop(conn, batch);
    if (fault?.kind === "delay") {
      const timer = setTimeout(() => {
        conn.pending = undefined;
        this.answerBatch(conn, batch);
      }, fault.ms);
      conn.pending = { timer, batch };
      return;
    }
    this.answerBatch(conn, batch);
  }

  private drop(conn: Connection, batch: RecordedBatch): void {
    batch.outcome = "dropped";
    conn.socket.destroy();
  }

  private answerBatch(conn: Connection, batch: RecordedBatch): void {
    const { text } = batch;
    const script = this.scripts.find((s) => s.remaining > 0 && s.match.test(text));
    if (script) {
      script.remaining--;
      return this.reply(conn, batch, script.answer);
    }
    const use = /^\s*USE\s+\[?([^\]\s;]+)\]?/i.exec(text);
    if (use) {
      const previous = conn.database;
      conn.database = use[1];
      batch.outcome = "ok";
      return this.send(conn, [
        t.envChange(t.EnvChangeType.DATABASE, use[1], previous),
        t.info(
          { number: 5701, message: `Changed database context to '${use[1]}'.` },
          this.serverName,
        ),
        t.done(t.DoneStatus.FINAL),
      ]);
    }
    const edition = /SERVERPROPERTY\(\s*'EngineEdition'\s*\)(?:\s+AS\s+\[?(\w+)\]?)?/i.exec(text);
    if (edition) {
      const columns: t.Column[] = [{ name: edition[1] ?? "", type: "sql_variant" }];
      return this.reply(conn, batch, { rows: { columns, rows: [[this.engineEdition]] } });
    }
    if (this.model && conn.session) {
      const others = (database: string) =>
        [...this.connectionsOpen].filter(
          (c) =>
            c !== conn &&
            !c.socket.destroyed &&
            c.database.toLowerCase() === database.toLowerCase(),
        ).length;
      const answer = this.model.execute(conn.session, conn.database, text, others);
      // Statements over the lake (tds/cetas.ts) run in DuckDB and answer later.
      if (answer instanceof Promise) {
        answer.then(
          (settled) => {
            if (!conn.socket.destroyed) this.reply(conn, batch, settled);
          },
          (error: unknown) => {
            if (!conn.socket.destroyed)
              this.reply(conn, batch, {
                error: { number: 50000, message: `Test server bug: ${String(error)}` },
              });
          },
        );
        return;
      }
      return this.reply(conn, batch, answer);
    }
    batch.outcome = "ok";
    this.send(conn, [t.done(t.DoneStatus.FINAL)]);
  }

  private reply(conn: Connection, batch: RecordedBatch, answer: BatchAnswer): void {
    if ("drop" in answer) return this.drop(conn, batch);
    if ("error" in answer) {
      batch.outcome = "error";
      batch.errorNumber = answer.error.number;
      return this.send(conn, [t.error(answer.error, this.serverName), t.done(t.DoneStatus.ERROR)]);
    }
    const { columns, rows } = answer.rows;
    batch.outcome = "ok";
    // A statement without a result set (DDL) answers DONE alone, with its count when it has one.
    if (columns.length === 0) {
      const { rowsAffected } = answer;
      return this.send(conn, [
        rowsAffected === undefined
          ? t.done(t.DoneStatus.FINAL)
          : t.done(t.DoneStatus.COUNT, rowsAffected),
      ]);
    }
    this.send(conn, [
      t.colMetadata(columns),
      ...rows.map((r) => t.row(columns, r)),
      t.done(t.DoneStatus.COUNT, rows.length),
    ]);
  }
}
