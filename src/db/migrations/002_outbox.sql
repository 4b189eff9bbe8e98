-- Outbound texts: the row is written first (one per idempotency key), then sent by a durable
-- `outbox.send` job or at once by `sendNow`; a compare-and-set on status (with a short send lease,
-- sending_until) makes sure only one of them calls Twilio. Status only moves forward:
-- queued < sending < sent < delivered | undelivered | failed | suppressed_opted_out | bad_number.
CREATE TABLE outbound_messages (
  id               bigserial   PRIMARY KEY,
  idempotency_key  text        NOT NULL UNIQUE,
  to_phone         text        NOT NULL,
  body             text        NOT NULL,
  -- 'offer', 'staff_alert', 'confirmation', 'reply', …: what the text is for.
  purpose          text        NOT NULL,
  -- Related ids (campaign, shift, call-out, conversation …); never names or bodies.
  meta             jsonb       NOT NULL DEFAULT '{}'::jsonb,
  status           text        NOT NULL DEFAULT 'queued' CHECK (status IN
                     ('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'suppressed_opted_out', 'bad_number')),
  twilio_sid       text        UNIQUE,
  error_code       integer,
  error_message    text,
  -- Calls to the transport so far.
  attempts         integer     NOT NULL DEFAULT 0,
  -- While 'sending': until when the sender in flight owns the message; after it, it may be taken over.
  sending_until    timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz
);
CREATE INDEX outbound_messages_to ON outbound_messages (to_phone, id);
CREATE INDEX outbound_messages_status ON outbound_messages (status) WHERE status IN ('queued', 'sending');

-- Every status callback as received. A callback can arrive before the send's own result (with
-- the sid) is stored; it is applied then from here.
CREATE TABLE outbound_message_events (
  id           bigserial   PRIMARY KEY,
  twilio_sid   text        NOT NULL,
  status       text        NOT NULL,
  error_code   integer,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbound_message_events_sid ON outbound_message_events (twilio_sid);

-- The opt-out ledger: the current state per number …
CREATE TABLE sms_opt_outs (
  phone       text        PRIMARY KEY,
  opted_out   boolean     NOT NULL,
  -- The word or reason behind the current state ('STOP', 'PARAR', 'twilio 21610', …).
  keyword     text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- … and every change to it.
CREATE TABLE sms_opt_out_history (
  id          bigserial   PRIMARY KEY,
  phone       text        NOT NULL,
  opted_out   boolean     NOT NULL,
  keyword     text,
  -- 'inbound' (a keyword texted to us), 'twilio_error' (21610 on a send), 'status_callback', 'staff'.
  source      text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_opt_out_history_phone ON sms_opt_out_history (phone, id);
