/**
 * Prepared statements on PGlite, one call into Postgres per query.
 *
 * `PGlite.query(sql, params)` makes six calls into the WebAssembly Postgres for every statement
 * (Parse, Describe, Bind, Describe, Execute, Sync), and Postgres parses and analyses the SQL
 * each time. Measured on a turn's lease statement: 0.5–0.65 ms that way, 0.2–0.25 ms here
 * (docs/performance.md). Here each distinct SQL text is parsed once into a named statement (its
 * parameter types learned from Postgres, so every value is serialised exactly as PGlite's own
 * `query` would, by type); every later run is Bind + Describe + Execute + Sync in one message.
 *
 * Same rules as PGlite's `query`: a query outside a transaction waits for any open transaction
 * (the transaction mutex, then the query mutex); a query inside one takes the query mutex only.
 * Rows and `affectedRows` are built the way PGlite's `parseResults` builds them.
 */
import type { PGlite } from '@electric-sql/pglite';

/** Distinct statements prepared per PGlite instance; SQL beyond it runs through `PGlite.query`. */
export const MAX_PREPARED_STATEMENTS = 500;

interface Statement {
  name: string;
  paramTypes: number[];
}

interface StatementCache {
  byText: Map<string, Statement>;
  counter: number;
}

interface BackendMessage {
  name: string;
  dataTypeIDs?: number[];
  fields?: unknown[];
  text?: string;
}

interface FieldDescription {
  name: string;
  dataTypeID: number;
}

/**
 * Kept on the instance itself, under a registry symbol: statement names belong to its session,
 * and tests share one PGlite between test files, each with its own copy of this module.
 */
const CACHE = Symbol.for('agency-front-door.pgliteStatements');

function cacheOf(pg: PGlite): StatementCache {
  const holder = pg as unknown as Record<symbol, StatementCache | undefined>;
  return (holder[CACHE] ??= { byText: new Map(), counter: 0 });
}

// ---------------------------------------------------------------------------------------------
// Frontend messages (https://www.postgresql.org/docs/current/protocol-message-formats.html)
// ---------------------------------------------------------------------------------------------

const encoder = new TextEncoder();

class Writer {
  private parts: Uint8Array[] = [];
  private size = 0;

  message(code: string, body: (w: BodyWriter) => void): this {
    const b = new BodyWriter();
    body(b);
    const payload = b.bytes();
    const out = new Uint8Array(5 + payload.length);
    out[0] = code.charCodeAt(0);
    new DataView(out.buffer).setInt32(1, 4 + payload.length);
    out.set(payload, 5);
    this.parts.push(out);
    this.size += out.length;
    return this;
  }

  bytes(): Uint8Array {
    return concatBytes(this.parts, this.size);
  }
}

/** The parts, end to end, in one array of `size` bytes. */
function concatBytes(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

class BodyWriter {
  private parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }

  cstring(s: string): this {
    this.push(encoder.encode(s));
    return this.push(new Uint8Array([0]));
  }

  int16(n: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setInt16(0, n);
    return this.push(b);
  }

  int32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n);
    return this.push(b);
  }

  raw(bytes: Uint8Array): this {
    return this.push(bytes);
  }

  bytes(): Uint8Array {
    return concatBytes(this.parts, this.size);
  }
}

function prepareMessage(name: string, text: string): Uint8Array {
  return new Writer()
    .message('P', (b) => b.cstring(name).cstring(text).int16(0))
    .message('D', (b) => b.raw(new Uint8Array(['S'.charCodeAt(0)])).cstring(name))
    .message('S', () => undefined)
    .bytes();
}

function executeMessage(name: string, values: (string | null)[]): Uint8Array {
  return new Writer()
    .message('B', (b) => {
      b.cstring('').cstring(name).int16(0).int16(values.length);
      for (const v of values) {
        if (v === null) b.int32(-1);
        else {
          const bytes = encoder.encode(v);
          b.int32(bytes.length).raw(bytes);
        }
      }
      b.int16(0);
    })
    .message('D', (b) => b.raw(new Uint8Array(['P'.charCodeAt(0)])).cstring(''))
    .message('E', (b) => b.cstring('').int32(0))
    .message('S', () => undefined)
    .bytes();
}

// ---------------------------------------------------------------------------------------------

export interface PgliteResult<T> {
  rows: T[];
  affectedRows: number;
}

/** What `execProtocolStream` throws for a statement Postgres refused: it carries the SQLSTATE. */
function sqlState(err: unknown): string | undefined {
  return typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
}

/**
 * A prepared statement whose plan can no longer be used as it was prepared: "cached plan must not
 * change result type" (a column added under `SELECT *`, 0A000) or a statement that no longer
 * exists (DEALLOCATE / DISCARD, 26000). Preparing it again fixes both.
 */
function isStaleStatement(err: unknown): boolean {
  const code = sqlState(err);
  return code === '0A000' || code === '26000';
}

async function prepare(pg: PGlite, cache: StatementCache, sql: string): Promise<Statement> {
  const name = `pgl_${++cache.counter}`;
  const messages = (await pg.execProtocolStream(prepareMessage(name, sql), { syncToFs: false })) as BackendMessage[];
  const description = messages.find((m) => m.name === 'parameterDescription');
  const statement = { name, paramTypes: description?.dataTypeIDs ?? [] };
  cache.byText.set(sql, statement);
  return statement;
}

function serialise(pg: PGlite, statement: Statement, params: unknown[]): (string | null)[] {
  return params.map((param, i) => {
    if (param === null || param === undefined) return null;
    const serialize = pg.serializers[statement.paramTypes[i]];
    return serialize ? serialize(param) : String(param);
  });
}

function resultOf<T>(pg: PGlite, messages: BackendMessage[]): PgliteResult<T> {
  let fields: FieldDescription[] = [];
  const rows: T[] = [];
  let affectedRows = 0;
  for (const m of messages) {
    if (m.name === 'rowDescription') fields = m.fields as FieldDescription[];
    else if (m.name === 'dataRow') {
      const values = m.fields as (string | null)[];
      const row: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const v = values[i];
        const parser = v === null ? undefined : pg.parsers[fields[i].dataTypeID];
        row[fields[i].name] = v === null ? null : parser ? parser(v, fields[i].dataTypeID) : v;
      }
      rows.push(row as T);
    } else if (m.name === 'commandComplete') {
      const parts = (m.text ?? '').split(' ');
      const count = parseInt(parts[parts.length - 1], 10);
      if (['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE'].includes(parts[0]) && !Number.isNaN(count)) affectedRows += count;
    }
  }
  return { rows, affectedRows };
}

async function runPrepared<T>(pg: PGlite, sql: string, params: unknown[]): Promise<PgliteResult<T>> {
  const cache = cacheOf(pg);
  let statement = cache.byText.get(sql);
  if (!statement) {
    if (cache.byText.size >= MAX_PREPARED_STATEMENTS) {
      const res = await pg.query<T>(sql, params);
      return { rows: res.rows, affectedRows: res.affectedRows ?? 0 };
    }
    statement = await prepare(pg, cache, sql);
  }
  const messages = (await pg.execProtocolStream(executeMessage(statement.name, serialise(pg, statement, params)), { syncToFs: false })) as BackendMessage[];
  return resultOf<T>(pg, messages);
}

async function withRetry<T>(pg: PGlite, sql: string, params: unknown[], inTransaction: boolean): Promise<PgliteResult<T>> {
  try {
    return await runPrepared<T>(pg, sql, params);
  } catch (err) {
    // Outside a transaction a stale statement is prepared again and run once more; inside one the
    // failed statement has aborted the transaction, so the caller sees the error.
    if (!isStaleStatement(err)) throw err;
    cacheOf(pg).byText.delete(sql);
    if (inTransaction) throw err;
    return runPrepared<T>(pg, sql, params);
  }
}

/** Runs one statement outside any transaction: waits for an open one to finish, like `PGlite.query`. */
export function queryPrepared<T>(pg: PGlite, sql: string, params: unknown[]): Promise<PgliteResult<T>> {
  return pg._runExclusiveTransaction(() => pg._runExclusiveQuery(() => withRetry<T>(pg, sql, params, false)));
}

/** Runs one statement inside the transaction the caller holds (PGlite's `transaction` callback). */
export function queryPreparedInTransaction<T>(pg: PGlite, sql: string, params: unknown[]): Promise<PgliteResult<T>> {
  return pg._runExclusiveQuery(() => withRetry<T>(pg, sql, params, true));
}
