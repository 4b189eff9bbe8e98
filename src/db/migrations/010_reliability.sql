-- Reliability (issue 10).
-- Dead-letter notices: one text per role per window telling staff how many jobs of theirs gave up
-- ("3 WellSky writes have failed since 02:10: open the console"). A notice covers the dead letters
-- with dead_at in (since, until]; the next one starts where the last one ended.
CREATE TABLE dead_letter_notices (
  id       bigserial PRIMARY KEY,
  role     text        NOT NULL,
  since    timestamptz NOT NULL,
  until    timestamptz NOT NULL,
  jobs     integer     NOT NULL,
  sent_at  timestamptz NOT NULL
);
CREATE INDEX dead_letter_notices_role ON dead_letter_notices (role, until);

-- An ambiguous send (Twilio timed out or the connection dropped after the request left): the time
-- the attempt began. The next attempt looks the message up on Twilio before sending it again.
ALTER TABLE outbound_messages ADD COLUMN ambiguous_since timestamptz;
