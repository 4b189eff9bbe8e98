/**
 * One Postgres dialect, two engines: embedded PGlite (default, in DATA_DIR) or a Postgres server
 * (DATABASE_URL). Everything above this file sees `Db` and writes plain Postgres SQL.
 *
 * Rule for every caller: never hold a transaction open across a remote call. PGlite has a single
 * connection, so an open transaction makes every other query in the process wait.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';
import { moduleLog } from '../log';
import { queryPrepared, queryPreparedInTransaction } from './pglite-statements';

const log = moduleLog('db');

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Something SQL can be sent to: the database, or a transaction on it. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction. Keep it short: no remote calls inside. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs several statements separated by semicolons (migrations, resets). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  /**
   * Postgres only: calls `onNotify` for every NOTIFY on `channel` (from any process), until the
   * returned function is called. Lets a worker process wake the moment a job is committed.
   */
  listen?(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
}

/**
 * Dates cross realms in tests (the shared PGlite lives outside Jest's sandbox, where `instanceof
 * Date` fails), so they are sent as ISO strings, which Postgres reads the same way.
 */
function pgliteParams(params: unknown[]): unknown[] {
  return params.map((p) => (Object.prototype.toString.call(p) === '[object Date]' ? (p as Date).toISOString() : p));
}

export class PgliteDb implements Db {
  readonly engine = 'pglite' as const;
  constructor(private readonly pg: PGlite, private readonly ownsInstance = true) {}

  // Prepared once per SQL text, one call into Postgres per run (src/db/pglite-statements.ts).
  async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    const res = await queryPrepared<T>(this.pg, sql, pgliteParams(params));
    return { rows: res.rows, rowCount: res.affectedRows };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const pg = this.pg;
    return pg.transaction(async (tx) =>
      fn({
        async query<R>(sql: string, params: unknown[] = []) {
          if (tx.closed) throw new Error('Transaction is closed');
          const res = await queryPreparedInTransaction<R>(pg, sql, pgliteParams(params));
          return { rows: res.rows, rowCount: res.affectedRows };
        },
      }),
    );
  }

  async exec(sql: string): Promise<void> {
    await this.pg.exec(sql);
  }

  async close(): Promise<void> {
    if (this.ownsInstance && !this.pg.closed) await this.pg.close();
  }
}

/** Distinct SQL texts run as named statements per pool; others run unnamed (parsed every time). */
export const MAX_NAMED_STATEMENTS = 500;

/**
 * Postgres: every statement with the same text runs under one name, so each pooled connection
 * parses and plans it once (node-pg sends Parse only the first time a connection sees the name).
 * A statement whose plan went stale under it ("cached plan must not change result type" after
 * a migration added a column under `SELECT *`) runs again under a new name.
 */
class StatementNames {
  private readonly names = new Map<string, string>();
  private generation = 0;

  constructor(private readonly enabled: boolean) {}

  nameOf(sql: string): string | undefined {
    if (!this.enabled) return undefined;
    let name = this.names.get(sql);
    if (!name && this.names.size < MAX_NAMED_STATEMENTS) {
      name = `s${createHash('sha1').update(sql).digest('hex').slice(0, 20)}_${this.generation}`;
      this.names.set(sql, name);
    }
    return name;
  }

  /** After a stale-plan error: the next run of `sql` prepares it afresh under a new name. */
  renew(sql: string): void {
    this.generation++;
    this.names.delete(sql);
  }
}

function isStalePlan(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '0A000' || code === '26000';
}

type PgQueryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

async function namedQuery<T>(q: PgQueryable, names: StatementNames, sql: string, params: unknown[], inTransaction: boolean): Promise<QueryResult<T>> {
  const run = async () => {
    const name = names.nameOf(sql);
    const res = await (q as Pool).query(name ? { name, text: sql, values: params } : { text: sql, values: params });
    return { rows: res.rows as T[], rowCount: res.rowCount ?? res.rows.length };
  };
  try {
    return await run();
  } catch (err) {
    if (!isStalePlan(err) || !names.nameOf(sql)) throw err;
    names.renew(sql);
    // Inside a transaction the failed statement aborted it: the caller sees the error.
    if (inTransaction) throw err;
    return run();
  }
}

export class PostgresDb implements Db {
  readonly engine = 'postgres' as const;
  private readonly names: StatementNames;

  constructor(private readonly pool: Pool, opts: { preparedStatements?: boolean } = {}) {
    this.names = new StatementNames(opts.preparedStatements ?? true);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    return namedQuery<T>(this.pool, this.names, sql, params, false);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const names = this.names;
    try {
      await client.query('BEGIN');
      const result = await fn({
        query<R>(sql: string, params: unknown[] = []) {
          return namedQuery<R>(client, names, sql, params, true);
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
    // A connection of its own, held while listening: pooled connections come and go.
    const client = await this.pool.connect();
    const handler = (msg: { channel: string; payload?: string }) => {
      if (msg.channel === channel) onNotify(msg.payload ?? '');
    };
    client.on('notification', handler);
    await client.query(`LISTEN ${channel}`);
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      client.off('notification', handler);
      await client.query(`UNLISTEN ${channel}`).catch(() => undefined);
      client.release();
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export interface OpenDbOptions {
  databaseUrl?: string;
  /** PGlite data directory; `undefined` → in memory. */
  dataDir?: string;
  /** Postgres only: a schema to create and use (tests isolate themselves this way). */
  schema?: string;
  poolSize?: number;
  /**
   * Postgres: run each distinct statement under a name, parsed and planned once per connection
   * (default on). Off for a connection pooler in transaction mode that cannot keep them
   * (PgBouncer before 1.21): DATABASE_PREPARED_STATEMENTS=off.
   */
  preparedStatements?: boolean;
}

// PGlite ships as an ES module that loads its WASM through a dynamic import; keep that import
// dynamic so CommonJS callers (and Jest with --experimental-vm-modules) can load it.
const importPglite = new Function('return import("@electric-sql/pglite")') as () => Promise<typeof import('@electric-sql/pglite')>;

/**
 * PGlite's default shared_buffers make the process hold ~800 MB; 16 MB is plenty for one agency's
 * conversations and jobs and keeps the web process near 250 MB (measured, docs/performance.md).
 */
export const PGLITE_OPTIONS = { postgresqlconf: 'shared_buffers=16MB' } as const;

function createPgliteClusterInChild(dir: string): Promise<void> {
  const script = `const { PGlite } = await import(${JSON.stringify(require.resolve('@electric-sql/pglite'))});
    const db = await PGlite.create(process.env.PGLITE_INIT_DIR, ${JSON.stringify(PGLITE_OPTIONS)});
    await db.close();`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, PGLITE_INIT_DIR: dir } }, (err, _out, stderr) =>
      err ? reject(new Error(`creating the embedded database in ${dir} failed: ${stderr || err.message}`)) : resolve(),
    );
  });
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  if (opts.databaseUrl) {
    const { Pool } = await import('pg');
    const ssl = /sslmode=require/.test(opts.databaseUrl) || /amazonaws\.com|heroku/.test(opts.databaseUrl)
      ? { rejectUnauthorized: false }
      : undefined;
    if (opts.schema && !/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`invalid schema name ${opts.schema}`);
    if (opts.schema) {
      const setup = new Pool({ connectionString: opts.databaseUrl, max: 1, ssl });
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`).finally(() => setup.end());
    }
    const pool = new Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      ssl,
      options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
    });
    pool.on('error', (err) => log.error('postgres pool error', { error: err.message }));
    return new PostgresDb(pool, { preparedStatements: opts.preparedStatements });
  }
  let PGliteCtor: typeof import('@electric-sql/pglite').PGlite;
  try {
    PGliteCtor = (await import('@electric-sql/pglite')).PGlite;
  } catch {
    PGliteCtor = (await importPglite()).PGlite;
  }
  const dir = opts.dataDir ? path.resolve(opts.dataDir, 'pglite') : undefined;
  if (dir && !fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    // Creating a cluster (initdb) grows PGlite's WebAssembly memory to ~700 MB, and WebAssembly
    // memory never shrinks: create it in a short-lived child process, then open it here at its
    // ~200 MB working size.
    fs.mkdirSync(dir, { recursive: true });
    log.info('creating the embedded database (first start only; takes a few seconds)', { dir });
    await createPgliteClusterInChild(dir);
  }
  const pg = await PGliteCtor.create(dir, PGLITE_OPTIONS);
  return new PgliteDb(pg);
}
