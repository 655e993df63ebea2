import { sql, type RawBuilder } from 'kysely';
import type { HubDatabase } from './schema';
import type { Trx } from './storage';

type Table = keyof HubDatabase & string;

/** Rows for one table of insertAllAsJson, all with the same columns (the keys of each row). */
export interface JsonRows {
  readonly table: Table;
  readonly rows: readonly object[];
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `rows` as the text of one JSON parameter. A string with a lone UTF-16 surrogate (possible in any text
 * a client sent) is written as a bound parameter would be, with U+FFFD in its place: JSON.stringify
 * escapes it as `\udXXX`, which PostgreSQL's JSON parser refuses, failing the whole statement.
 */
export function jsonParameter(rows: readonly object[]): string {
  const text = JSON.stringify(rows);
  // JSON.stringify escapes only lone surrogates this way (a pair is written as it is); a string holding a
  // backslash and "ud8…" also matches, and merely takes the slower path.
  if (!/\\ud[89a-f]/i.test(text)) return text;
  return JSON.stringify(rows, (_key, value: unknown) =>
    typeof value === 'string' ? value.replace(LONE_SURROGATE, '\ufffd') : value,
  );
}

/** A data-modifying statement carrying its rows as one JSON parameter (jsonInsert). */
export interface JsonWrite {
  /** What its text depends on (table, columns, suffix): equal shapes, equal texts. */
  readonly shape: string;
  /** Its one parameter. */
  readonly parameter: string;
  readonly sql: RawBuilder<unknown>;
}

/** A clause after the INSERT, named for the statement's shape. */
export interface InsertSuffix {
  readonly name: string;
  readonly sql: RawBuilder<unknown>;
}

/**
 * An INSERT of `rows` into `table` from one JSON parameter typed by the table's own row type
 * (json_populate_recordset), in the order given; `suffix` follows it (an ON CONFLICT clause). Columns are
 * the rows' keys, so a column no row names keeps its default. Undefined when the rows do not all have the
 * same keys in the same order, or one is undefined (or there are no rows): the caller then inserts them as
 * before.
 */
export function jsonInsert(
  table: Table,
  rows: readonly object[],
  suffix?: InsertSuffix,
): JsonWrite | undefined {
  const first = rows[0];
  if (first === undefined) return undefined;
  const columns = Object.keys(first);
  for (const row of rows) {
    const keys = Object.keys(row);
    if (keys.length !== columns.length || keys.some((key, index) => key !== columns[index])) return undefined;
    // JSON would drop an undefined value and the column get null, not its default as Kysely gives it.
    if (Object.values(row).includes(undefined)) return undefined;
  }
  // The text around the one parameter is the same for every call with these columns: kept, not rebuilt.
  const shape = `${table}\u0000${columns.join('\u0000')}\u0000${suffix?.name ?? ''}`;
  let head = insertHeads.get(shape);
  if (head === undefined) {
    const names = columns.map(quoted);
    head = `insert into ${quoted(table)} (${names.join(', ')}) select ${names
      .map((name) => `r.${name}`)
      .join(', ')} from json_populate_recordset(null::${quoted(table)}, `;
    if (insertHeads.size >= 256) insertHeads.delete(insertHeads.keys().next().value as string);
    insertHeads.set(shape, head);
  }
  const parameter = jsonParameter(rows);
  return {
    shape,
    parameter,
    sql: sql`${sql.raw(head)}${parameter}::json) with ordinality as r order by r.ordinality ${suffix?.sql ?? sql``}`,
  };
}

const insertHeads = new Map<string, string>();

/** A table or column name of the hub's own schema as a quoted identifier. */
function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * jsonInsert for each table with rows, or undefined when some table's rows cannot go this way (see
 * jsonInsert): the caller then writes them all as before.
 */
export function jsonInserts(tables: readonly JsonRows[]): JsonWrite[] | undefined {
  const inserts: JsonWrite[] = [];
  for (const { table, rows } of tables) {
    if (rows.length === 0) continue;
    const insert = jsonInsert(table, rows);
    if (insert === undefined) return undefined;
    inserts.push(insert);
  }
  return inserts;
}

/**
 * Runs data-modifying statements (jsonInsert's) as the CTEs of ONE statement (PostgreSQL only). Each
 * table's rows go in in the order given; in which order the CTEs run is PostgreSQL's choice, so use it for
 * rows no other transaction can be writing (those of an order placed in this transaction), where only a
 * unique key another intake races for can make it wait, and then on that one row whatever the order. The
 * statement writes everything or nothing.
 */
export async function writeTogether(trx: Trx, writes: readonly JsonWrite[]): Promise<void> {
  if (writes.length === 0) return;
  await sql`with ${cteList(writes)} select 1`.execute(trx);
}

/** `written_0 as (…), written_1 as (…)`: writes as the CTEs of a statement. */
export function cteList(writes: readonly JsonWrite[]): RawBuilder<unknown> {
  return sql.join(
    writes.map((write, index) => sql`${sql.raw(`written_${index}`)} as (${write.sql})`),
    sql`, `,
  );
}

/**
 * jsonInserts and writeTogether: the rows of several tables in ONE statement (PostgreSQL only). Returns
 * false, having written nothing, when some table's rows cannot go this way.
 */
export async function insertAllAsJson(trx: Trx, tables: readonly JsonRows[]): Promise<boolean> {
  const inserts = jsonInserts(tables);
  if (inserts === undefined) return false;
  await writeTogether(trx, inserts);
  return true;
}
