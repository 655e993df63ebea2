import pg from 'pg';

/**
 * What node-postgres's `Query` has and its types leave out: the parts a submittable wrapping one uses.
 * (pg 8: `lib/query.js`, `lib/client.js`.) These are not node-postgres's public API, so apps/hub-server pins
 * `pg` to one exact version: an upgrade is a deliberate change, made with begin-with-statement.test.ts run on it.
 */
interface PgQueryInternals {
  readonly text: string;
  readonly name?: string;
  readonly _result: PgResultInternals;
  /** Whether rows go into the result (node-postgres sets it on RowDescription). */
  _accumulateRows?: boolean;
  callback: (error: Error | null, result?: unknown) => void;
  requiresPreparation(): boolean;
  prepare(connection: PgConnection): void;
  handleRowDescription(message: unknown): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: PgConnection): void;
  handleEmptyQuery(connection: PgConnection): void;
  handleError(error: unknown, connection: PgConnection): void;
  handleReadyForQuery(connection: PgConnection): void;
  handlePortalSuspended(connection: PgConnection): void;
  handleCopyInResponse(connection: PgConnection): void;
  handleCopyData(message: unknown, connection: PgConnection): void;
}

interface PgConnection {
  readonly stream: { cork?: () => void; uncork?: () => void };
  readonly parsedStatements: Record<string, string | undefined>;
  readonly submittedNamedStatements: Record<string, string | undefined>;
  parse(query: { text: string; name: string; types: unknown[] }): void;
  bind(config: { portal: string; statement: string; values: unknown[] }): void;
  execute(config: { portal: string; rows: number }): void;
  sync(): void;
}

/** What node-postgres's `Result` builds from a RowDescription (`addFields`, pg 8 `lib/result.js`). */
interface PgResultInternals {
  fields: unknown[];
  _parsers: unknown;
  _prebuiltEmptyResultObject: unknown;
}

/**
 * What a named statement's rows look like on one connection, from its first successful execution there:
 * the result's fields, their type parsers and the empty row node-postgres copies for each row; `null` for
 * a statement that returns no rows. PostgreSQL guarantees a prepared statement's row description does not
 * change under its name: should a table change under it, executing it fails ("cached plan must not change
 * result type"), and the pool prepares its texts again under new names (prepared-statements.ts).
 */
type KnownRows = Pick<PgResultInternals, 'fields' | '_parsers' | '_prebuiltEmptyResultObject'> | null;

/** Per connection (node-postgres's `Connection`; a new one after a reconnect): statement name → its rows. */
const knownRows = new WeakMap<object, Map<string, KnownRows>>();

function knownRowsOn(connection: object): Map<string, KnownRows> {
  let known = knownRows.get(connection);
  if (known === undefined) {
    known = new Map();
    knownRows.set(connection, known);
  }
  return known;
}

/** The result Kysely gets for a BEGIN the hub has not sent yet (it reads `command`, `rowCount`, `rows`). */
const DEFERRED_BEGIN = Object.freeze({ command: 'BEGIN', rowCount: null, rows: [], fields: [] });

/** Writes a transaction command's Parse, Bind and Execute (extended protocol, unnamed statement and portal). */
function writeCommand(connection: PgConnection, text: 'begin' | 'commit'): void {
  connection.parse({ text, name: '', types: [] });
  connection.bind({ portal: '', statement: '', values: [] });
  connection.execute({ portal: '', rows: 0 });
}

/**
 * What `Query.prepare` writes through (node-postgres 8: parse, bind, describe, execute, sync; close and
 * sync when its values cannot be bound): the connection's own methods, with COMMIT's messages before the
 * Sync once the statement's Execute is written (`commit`), and without the Describe of a statement whose
 * rows the connection already knows (`describe` false). A delegate rather than an object whose prototype
 * is the connection: making the connection a prototype would turn it into a slower prototype-mode object
 * for the rest of its life.
 */
class StatementConnection {
  private executed = false;

  constructor(
    private readonly connection: PgConnection & Record<string, unknown>,
    private readonly commit: boolean,
    private readonly describeRows: boolean,
  ) {}

  get stream(): PgConnection['stream'] {
    return this.connection.stream;
  }

  get parsedStatements(): PgConnection['parsedStatements'] {
    return this.connection.parsedStatements;
  }

  get submittedNamedStatements(): PgConnection['submittedNamedStatements'] {
    return this.connection.submittedNamedStatements;
  }

  parse(query: Parameters<PgConnection['parse']>[0]): void {
    this.connection.parse(query);
  }

  bind(config: Parameters<PgConnection['bind']>[0]): void {
    this.connection.bind(config);
  }

  describe(config: unknown): void {
    if (this.describeRows) (this.connection.describe as (config: unknown) => void)(config);
  }

  close(config: unknown): void {
    (this.connection.close as (config: unknown) => void)(config);
  }

  flush(): void {
    (this.connection.flush as () => void)();
  }

  execute(config: Parameters<PgConnection['execute']>[0]): void {
    this.executed = true;
    this.connection.execute(config);
  }

  sync(): void {
    if (this.commit && this.executed) writeCommand(this.connection, 'commit');
    this.connection.sync();
  }
}

/**
 * One statement sent with the BEGIN before it and/or the COMMIT after it, in one round trip: BEGIN's
 * Parse, Bind and Execute (extended protocol, the unnamed statement and portal), the statement's own
 * messages, COMMIT's, and one Sync. PostgreSQL runs them in order and skips to the Sync at the first error:
 * if BEGIN fails the statement never runs outside a transaction, and if the statement fails COMMIT is
 * never run (the transaction is left aborted, for the caller's ROLLBACK). The caller gets the statement's
 * result, or the first error of the three.
 *
 * node-postgres sees one query (one ReadyForQuery): BEGIN's and COMMIT's CommandComplete are taken here,
 * the statement's messages go to the wrapped `Query`. `name` is the wrapped query's only once BEGIN has
 * completed, so node-postgres marks the statement parsed on the statement's ParseComplete, not on BEGIN's;
 * should BEGIN fail, the statement's submitted name is dropped, as node-postgres drops it when a statement
 * fails, so the connection prepares it again next time. COMMIT is written only once the statement's
 * Execute is: a statement whose values cannot be bound (node-postgres then writes Close and Sync and fails
 * the query) is not committed.
 */
class PipelinedStatement {
  private completed = 0;
  /** What the connection knows of the statement's rows, when its Describe was left out. */
  private known: KnownRows | undefined;
  /** The connection's statement rows, to learn this statement's (it was described). */
  private learnOn: Map<string, KnownRows> | undefined;
  private sawRows = false;

  constructor(
    private readonly query: PgQueryInternals,
    private readonly withBegin: boolean,
    private readonly withCommit: boolean,
  ) {}

  /** Which CommandComplete is the statement's (BEGIN's comes first). */
  private get own(): number {
    return this.withBegin ? 1 : 0;
  }

  get text(): string {
    return this.query.text;
  }

  get name(): string | undefined {
    return this.completed >= this.own ? this.query.name : undefined;
  }

  /** node-postgres sets the client's type parsers on it, as on any query's. */
  get _result(): unknown {
    return this.query._result;
  }

  get callback(): PgQueryInternals['callback'] {
    return this.query.callback;
  }

  submit(connection: PgConnection): null {
    const name = this.query.name;
    if (name !== undefined && name !== '') {
      const rows = knownRowsOn(connection);
      // Known only after a successful execution here, so the statement is prepared on this connection.
      if (rows.has(name) && connection.parsedStatements[name] === this.query.text)
        this.known = rows.get(name);
      else this.learnOn = rows;
    }
    const describe = this.known === undefined;
    connection.stream.cork?.();
    try {
      if (this.withBegin) writeCommand(connection, 'begin');
      this.query.prepare(
        this.withCommit || !describe
          ? (new StatementConnection(
              connection as PgConnection & Record<string, unknown>,
              this.withCommit,
              describe,
            ) as unknown as PgConnection)
          : connection,
      );
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  /**
   * A statement sent without its Describe: its result takes the fields and parsers the connection learnt
   * from its first execution, as node-postgres's `Query.handleRowDescription` would from the message.
   */
  private rowsKnown(): void {
    const known = this.known;
    if (known === undefined) return;
    this.known = undefined;
    if (known === null) return;
    const result = this.query._result;
    result.fields = known.fields;
    result._parsers = known._parsers;
    result._prebuiltEmptyResultObject = known._prebuiltEmptyResultObject;
    // As node-postgres decides it: the rows are kept for the callback (a submitted query always has one).
    this.query._accumulateRows = true;
  }

  handleCommandComplete(message: unknown, connection: PgConnection): void {
    const index = this.completed;
    this.completed += 1;
    if (index !== this.own) return;
    this.rowsKnown();
    this.query.handleCommandComplete(message, connection);
    const name = this.query.name;
    if (this.learnOn !== undefined && name !== undefined) {
      const result = this.query._result;
      this.learnOn.set(
        name,
        this.sawRows
          ? {
              fields: result.fields,
              _parsers: result._parsers,
              _prebuiltEmptyResultObject: result._prebuiltEmptyResultObject,
            }
          : null,
      );
    }
  }

  handleError(error: unknown, connection: PgConnection): void {
    const name = this.query.name;
    if (this.completed < this.own && name !== undefined && name !== '')
      delete connection.submittedNamedStatements[name];
    this.query.handleError(error, connection);
  }

  handleRowDescription(message: unknown): void {
    this.sawRows = true;
    this.query.handleRowDescription(message);
  }

  handleDataRow(message: unknown): void {
    this.rowsKnown();
    this.query.handleDataRow(message);
  }

  handleEmptyQuery(connection: PgConnection): void {
    this.query.handleEmptyQuery(connection);
  }

  handleReadyForQuery(connection: PgConnection): void {
    this.query.handleReadyForQuery(connection);
  }

  handlePortalSuspended(connection: PgConnection): void {
    this.query.handlePortalSuspended(connection);
  }

  handleCopyInResponse(connection: PgConnection): void {
    this.query.handleCopyInResponse(connection);
  }

  handleCopyData(message: unknown, connection: PgConnection): void {
    this.query.handleCopyData(message, connection);
  }
}

/** A statement as the pool wrapper sends it: its text, the name it is prepared under (if kept), values. */
export interface StatementToSend {
  readonly text: string;
  readonly name?: string;
  readonly values: unknown[];
}

/**
 * Sends `statement` on `client` with BEGIN before it and/or COMMIT after it, in one round trip, when the
 * extended protocol can carry it (a named statement or one with parameters); otherwise as separate
 * round trips, in the same order.
 */
export async function sendPipelined(
  client: pg.PoolClient,
  statement: StatementToSend,
  around: { begin: boolean; commit: boolean },
): Promise<pg.QueryResult> {
  const config =
    statement.name === undefined
      ? { text: statement.text, values: statement.values }
      : { text: statement.text, name: statement.name, values: statement.values };
  let settle: (error: Error | null, result?: pg.QueryResult) => void = () => undefined;
  const answered = new Promise<pg.QueryResult>((resolve, reject) => {
    settle = (error, result) => (error ? reject(error) : resolve(result!));
  });
  const query = new pg.Query(config, settle as never) as unknown as PgQueryInternals;
  if (!query.requiresPreparation()) {
    // A text without parameters may hold several statements, which only the simple protocol carries.
    if (around.begin) await client.query('begin');
    const result = await client.query(config);
    if (around.commit) await client.query('commit');
    return result;
  }
  client.query(new PipelinedStatement(query, around.begin, around.commit) as unknown as pg.Submittable);
  return answered;
}

/** Whether `text` and `parameters` are Kysely's plain BEGIN (`db.transaction()` without settings). */
export function isPlainBegin(text: unknown, parameters: readonly unknown[] | undefined): boolean {
  return text === 'begin' && (parameters === undefined || parameters.length === 0);
}

/** Whether `text` ends the transaction (Kysely's COMMIT or ROLLBACK). */
export function endsTransaction(text: unknown): text is 'commit' | 'rollback' {
  return text === 'commit' || text === 'rollback';
}

/**
 * A statement text the hub's PostgreSQL pool never sends: it tells the connection that the transaction's
 * next statement is its last, to be sent with COMMIT (see `commitWithNextStatement`).
 */
export const COMMIT_WITH_NEXT_STATEMENT = '-- hub: commit with the next statement';

/**
 * A statement text the hub's PostgreSQL pool never sends: it tells the connection that the transaction's
 * next statement, its first, is a plain read that may run before BEGIN (see `readBeforeBegin`).
 */
export const READ_BEFORE_BEGIN = '-- hub: the next statement is a plain read, before begin';

export function deferredBeginResult(): typeof DEFERRED_BEGIN {
  return DEFERRED_BEGIN;
}

/**
 * What Kysely gets for a COMMIT or ROLLBACK the connection does not send: a transaction that sent nothing
 * (BEGIN never left), or one whose last statement carried its COMMIT.
 */
export function unsentTransactionEnd(text: 'commit' | 'rollback') {
  return { command: text.toUpperCase(), rowCount: null, rows: [], fields: [] };
}
