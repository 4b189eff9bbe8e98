import { describeEachDb } from './support/db';

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
