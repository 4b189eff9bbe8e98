-- Dead letters: a job that exhausted its attempts (or failed permanently) is not merely "failed"
-- and forgotten; it is moved to status 'dead' with its last error, where a person sees it (the
-- console lists them) and can send it back to the queue (retry). `dead_at` says when it gave up,
-- `retried_by`/`retried_at` who sent it back last.
ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_status_check;
UPDATE jobs SET status = 'dead' WHERE status = 'failed';
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check CHECK (status IN ('pending', 'running', 'done', 'dead', 'cancelled'));
ALTER TABLE jobs ADD COLUMN dead_at timestamptz;
ALTER TABLE jobs ADD COLUMN retried_by text;
ALTER TABLE jobs ADD COLUMN retried_at timestamptz;
UPDATE jobs SET dead_at = finished_at WHERE status = 'dead';
CREATE INDEX jobs_dead ON jobs (dead_at) WHERE status = 'dead';
