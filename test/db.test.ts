import { openDb } from '../src/db';
import { describeEachDb, postgresUrl } from './support/db';

describeEachDb('database', (ctx) => {
  it('runs migrations once and starts each test file with empty tables', async () => {
    const { rows } = await ctx.db.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
    expect(rows.map((r) => r.id)).toContain('001_jobs');
    const jobs = await ctx.db.query('SELECT * FROM jobs');
    expect(jobs.rows).toHaveLength(0);
  });

  it('rolls a failed transaction back', async () => {
    await expect(
      ctx.db.transaction(async (tx) => {
        await tx.query(`INSERT INTO jobs (kind) VALUES ('x')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const jobs = await ctx.db.query('SELECT * FROM jobs');
    expect(jobs.rows).toHaveLength(0);
  });
});

// Statements are prepared once per SQL text (PGlite: src/db/pglite-statements.ts; Postgres: named
// statements): what a caller gets back must not depend on whether the statement was prepared before.
describeEachDb('database: repeated statements', (ctx) => {
  it('round-trips every parameter type the app sends, the first time and every time after', async () => {
    await ctx.db.exec(`CREATE TABLE IF NOT EXISTS prep_values (id int PRIMARY KEY, doc jsonb, tags text[], flag boolean, at timestamptz, note text)`);
    const sql = `INSERT INTO prep_values (id, doc, tags, flag, at, note) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc RETURNING id, doc, tags, flag, at, note`;
    const at = new Date('2026-12-01T17:00:00.000Z');
    for (let i = 1; i <= 3; i++) {
      const { rows, rowCount } = await ctx.db.query<{ id: number; doc: unknown; tags: string[]; flag: boolean; at: Date; note: string | null }>(sql, [
        i, JSON.stringify({ turn: i, said: ['a', 'b'] }), ['x', `y${i}`], i % 2 === 0, at, i === 2 ? null : `n${i}`,
      ]);
      expect(rowCount).toBe(1);
      expect(rows[0]).toEqual({ id: i, doc: { turn: i, said: ['a', 'b'] }, tags: ['x', `y${i}`], flag: i % 2 === 0, at: expect.anything(), note: i === 2 ? null : `n${i}` });
      expect(new Date(rows[0].at).toISOString()).toBe(at.toISOString());
    }
    const { rows } = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM prep_values WHERE flag = $1', [false]);
    expect(rows).toEqual([{ n: 2 }]);
    const updated = await ctx.db.query('UPDATE prep_values SET note = $1 WHERE id <= $2', ['m', 2]);
    expect(updated.rowCount).toBe(2);
    await ctx.db.exec('DROP TABLE prep_values');
  });

  it('answers again after the table under a SELECT * gains a column', async () => {
    await ctx.db.exec('CREATE TABLE prep_shape (id int PRIMARY KEY)');
    await ctx.db.query('INSERT INTO prep_shape (id) VALUES ($1)', [1]);
    const sql = 'SELECT * FROM prep_shape WHERE id = $1';
    expect((await ctx.db.query(sql, [1])).rows).toEqual([{ id: 1 }]);
    await ctx.db.exec(`ALTER TABLE prep_shape ADD COLUMN label text DEFAULT 'new'`);
    expect((await ctx.db.query(sql, [1])).rows).toEqual([{ id: 1, label: 'new' }]);
    await ctx.db.exec('DROP TABLE prep_shape');
  });

  it('reports a refused statement with its SQLSTATE, and runs it fine afterwards', async () => {
    await ctx.db.exec('CREATE TABLE prep_unique (id int PRIMARY KEY)');
    const sql = 'INSERT INTO prep_unique (id) VALUES ($1)';
    await ctx.db.query(sql, [1]);
    await expect(ctx.db.query(sql, [1])).rejects.toMatchObject({ code: '23505' });
    await expect(ctx.db.query(sql, ['not a number'])).rejects.toMatchObject({ code: '22P02' });
    await ctx.db.query(sql, [2]);
    // Inside a transaction, a refused statement rolls the whole transaction back.
    await expect(ctx.db.transaction(async (tx) => {
      await tx.query(sql, [3]);
      await tx.query(sql, [1]);
    })).rejects.toMatchObject({ code: '23505' });
    expect((await ctx.db.query<{ id: number }>('SELECT id FROM prep_unique ORDER BY id')).rows.map((r) => r.id)).toEqual([1, 2]);
    await ctx.db.exec('DROP TABLE prep_unique');
  });

  it('never runs a statement in the middle of another caller\'s transaction', async () => {
    await ctx.db.exec('CREATE TABLE prep_tx (id int PRIMARY KEY)');
    let inside!: () => void;
    const holding = new Promise<void>((r) => (inside = r));
    let finish!: () => void;
    const released = new Promise<void>((r) => (finish = r));
    const tx = ctx.db.transaction(async (t) => {
      await t.query('INSERT INTO prep_tx (id) VALUES ($1)', [1]);
      inside();
      await released;
      throw new Error('rolled back on purpose');
    });
    await holding;
    // On PGlite this waits for the transaction; on Postgres another connection does not see its row.
    const outside = ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM prep_tx WHERE id >= $1', [0]);
    finish();
    await expect(tx).rejects.toThrow('rolled back on purpose');
    expect((await outside).rows).toEqual([{ n: 0 }]);
    await ctx.db.exec('DROP TABLE prep_tx');
  });
});

(postgresUrl ? describe : describe.skip)('database: named statements on Postgres', () => {
  async function preparedAfterTwoRuns(preparedStatements: boolean): Promise<string[]> {
    const schema = `t_named_${process.pid}_${preparedStatements ? 'on' : 'off'}`;
    const db = await openDb({ databaseUrl: postgresUrl, schema, poolSize: 1, preparedStatements });
    try {
      for (let i = 0; i < 2; i++) await db.query('SELECT $1::int + 1 AS n', [i]);
      const { rows } = await db.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
      return rows.map((r) => r.statement);
    } finally {
      await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.close();
    }
  }

  it('keeps a statement prepared on its connection, unless DATABASE_PREPARED_STATEMENTS=off (a transaction-mode pooler)', async () => {
    expect(await preparedAfterTwoRuns(true)).toContain('SELECT $1::int + 1 AS n');
    expect(await preparedAfterTwoRuns(false)).toEqual([]);
  });
});
