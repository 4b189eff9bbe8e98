-- Durable jobs: everything that must happen later, or again after a failure, is a row here.
-- A worker claims due rows (SELECT … FOR UPDATE SKIP LOCKED) in one short transaction that sets
-- status 'running' and a lease (locked_by, locked_until); the job runs outside any transaction
-- and its result is written in another short one. A 'running' row whose lease has expired
-- belongs to a worker that died: it is claimable again.
CREATE TABLE jobs (
  id            bigserial PRIMARY KEY,
  kind          text        NOT NULL,
  payload       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  -- A job with a key is created at most once, ever (idempotent scheduling): enqueueing the same
  -- key again returns the existing job, whatever its status.
  dedupe_key    text        UNIQUE,
  run_at        timestamptz NOT NULL DEFAULT now(),
  status        text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
  -- Claims so far, the current one included; a RetryLater or a reschedule gives its claim back.
  attempts      integer     NOT NULL DEFAULT 0,
  max_attempts  integer     NOT NULL DEFAULT 10 CHECK (max_attempts >= 1),
  locked_by     text,
  locked_until  timestamptz,
  -- The last failure's message, scrubbed of phone numbers; never a stack or a payload.
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 'pending';
CREATE INDEX jobs_lease ON jobs (locked_until) WHERE status = 'running';
CREATE INDEX jobs_kind_status ON jobs (kind, status);
