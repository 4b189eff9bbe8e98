-- Complaints ("cases") and new-client leads (design.md, "Complaint", "New lead", "Reliability").
-- Each row is written before any remote call; WellSky writes and staff texts follow from durable
-- jobs that read the row, so a crash or a WellSky outage never loses one.

CREATE TABLE complaints (
  id               bigserial   PRIMARY KEY,
  -- The effect key (conversation id + step): a replayed turn finds the same case.
  idempotency_key  text        NOT NULL UNIQUE,
  conversation_id  text,
  channel          text        NOT NULL CHECK (channel IN ('voice', 'sms')),
  caller_phone     text        NOT NULL,
  -- "Linda Fischer (daughter of client Harold)" as the directory knew the number; never said to callers.
  caller_label     text        NOT NULL,
  -- Empty when the caller is not on file for any client: a new complaint with no client details.
  client_id        text,
  client_name      text,
  -- The caller's own words (speech or text) and/or a voice recording.
  body             text,
  recording_url    text,
  severity         text        NOT NULL CHECK (severity IN ('emergency', 'urgent', 'normal')),
  -- Why it is urgent ('left early', 'no-show', 'unassigned', …), when it is.
  reason           text,
  -- The caller hung up (or went quiet) before finishing.
  incomplete       boolean     NOT NULL DEFAULT false,
  lang             text        NOT NULL DEFAULT 'en',
  -- Recent and coming shifts with caregiver names, earlier cases: what staff were told.
  context          jsonb,
  staff_texted_at  timestamptz,
  admin_task_id    text,
  write_attempts   integer     NOT NULL DEFAULT 0,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX complaints_client ON complaints (client_id, created_at) WHERE client_id IS NOT NULL;

CREATE TABLE leads (
  id                 bigserial   PRIMARY KEY,
  idempotency_key    text        NOT NULL UNIQUE,
  conversation_id    text,
  channel            text        NOT NULL CHECK (channel IN ('voice', 'sms')),
  caller_phone       text        NOT NULL,
  caller_name        text,
  -- The caller's relationship to the person needing care (WellSky code: SELF, DAU, SON, SPS, PROF, …).
  relationship       text,
  care_for_name      text,
  care_for_phone     text,
  city               text,
  zip                text,
  needs              text,
  schedule           text,
  payer              text,
  heard_from         text,
  consent_to_text    boolean,
  -- Questions the caller chose to skip.
  skipped            jsonb       NOT NULL DEFAULT '[]'::jsonb,
  lang               text        NOT NULL DEFAULT 'en',
  incomplete         boolean     NOT NULL DEFAULT false,
  -- A Patient already on file for the number (prospect or client): updated, never duplicated.
  returning_patient_id text,
  -- WellSky write-back: pending → written (or skipped: nothing to write), retried by a job.
  wellsky_status     text        NOT NULL DEFAULT 'pending' CHECK (wellsky_status IN ('pending', 'written', 'skipped')),
  patient_id         text,
  related_person_id  text,
  write_attempts     integer     NOT NULL DEFAULT 0,
  last_error         text,
  written_at         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leads_pending ON leads (wellsky_status) WHERE wellsky_status = 'pending';
