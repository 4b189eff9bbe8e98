-- The ops console (src/dashboard/): one-time login links, the record of every action staff take,
-- the follow-up status of complaints and leads, how a campaign was closed by hand, and what a
-- conversation heard each turn (for the turn-by-turn transcript).

-- A login link texted to a staff phone: only the token's hash is kept; used once, expires soon.
CREATE TABLE console_login_tokens (
  token_hash   text        PRIMARY KEY,
  staff_phone  text        NOT NULL,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);

-- Every action taken in the console (and every login), with who did it.
CREATE TABLE console_actions (
  id           bigserial   PRIMARY KEY,
  at           timestamptz NOT NULL,
  actor        text        NOT NULL,
  action       text        NOT NULL,
  -- 'campaign', 'complaint', 'lead', 'job', 'session'
  target_kind  text,
  target_id    text,
  note         text,
  detail       jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX console_actions_target ON console_actions (target_kind, target_id, id);

-- Follow-up of a complaint or a lead by the office: new → acknowledged → called back → resolved.
ALTER TABLE complaints ADD COLUMN status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'called_back', 'resolved'));
ALTER TABLE complaints ADD COLUMN owner text;
ALTER TABLE complaints ADD COLUMN status_note text;
ALTER TABLE complaints ADD COLUMN status_by text;
ALTER TABLE complaints ADD COLUMN status_at timestamptz;
ALTER TABLE leads ADD COLUMN status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'called_back', 'resolved'));
ALTER TABLE leads ADD COLUMN owner text;
ALTER TABLE leads ADD COLUMN status_note text;
ALTER TABLE leads ADD COLUMN status_by text;
ALTER TABLE leads ADD COLUMN status_at timestamptz;

-- A campaign stopped, assigned by hand or filled outside the system from the console: by whom, why.
ALTER TABLE campaigns ADD COLUMN closed_by text;
ALTER TABLE campaigns ADD COLUMN close_note text;

-- What the caller said or texted on the turn a reply answers (voice: the speech result or digits).
ALTER TABLE conversation_turns ADD COLUMN heard text;
