-- Durable jobs: everything that must happen later, or again after a failure, is a row here.
CREATE TABLE jobs (
  id            bigserial PRIMARY KEY,
  kind          text        NOT NULL,
  payload       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  -- A job with a key is created at most once while it exists (idempotent scheduling).
  dedupe_key    text        UNIQUE,
  run_at        timestamptz NOT NULL DEFAULT now(),
  status        text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
  attempts      integer     NOT NULL DEFAULT 0,
  max_attempts  integer     NOT NULL DEFAULT 10,
  locked_by     text,
  locked_until  timestamptz,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE status IN ('pending', 'running');
