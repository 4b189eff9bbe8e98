-- One row per call (CallSid) or SMS thread (phone pair, idle 30 min → a new row).
CREATE TABLE conversations (
  id               text PRIMARY KEY,
  channel          text        NOT NULL CHECK (channel IN ('voice', 'sms')),
  call_sid         text        UNIQUE,
  caller_phone     text        NOT NULL,
  agency_phone     text        NOT NULL,
  flow             text        NOT NULL,
  machine_version  integer     NOT NULL,
  snapshot         jsonb,
  status           text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
  turn             integer     NOT NULL DEFAULT 0,
  -- An event whose effects were still running when the turn had to answer (voice: <Redirect>).
  pending_event    jsonb,
  lease_owner      text,
  lease_until      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_activity_at timestamptz NOT NULL DEFAULT now(),
  closed_at        timestamptz
);
CREATE INDEX conversations_sms_thread ON conversations (caller_phone, agency_phone, last_activity_at DESC) WHERE channel = 'sms' AND status = 'active';

-- The reply given to each webhook, so a retried webhook gets the same answer and no effect twice.
CREATE TABLE conversation_turns (
  turn_key         text PRIMARY KEY,
  conversation_id  text        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  response         text        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_turns_conversation ON conversation_turns (conversation_id);

-- Messages taken for staff (voicemails, texted messages, hand-offs), with their transcription.
CREATE TABLE staff_messages (
  id               bigserial PRIMARY KEY,
  idempotency_key  text        NOT NULL UNIQUE,
  conversation_id  text        REFERENCES conversations (id) ON DELETE SET NULL,
  role             text        NOT NULL,
  topic            text        NOT NULL,
  caller_phone     text        NOT NULL,
  caller_label     text,
  body             text,
  recording_url    text,
  recording_sid    text,
  transcription    text,
  incomplete       boolean     NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_messages_recording ON staff_messages (recording_sid);
