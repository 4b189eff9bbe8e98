-- Call-outs and shift-fill campaigns (src/shiftfill/). Times are UTC instants.

-- One row per call-out (or "running late" notice), stored before any remote call.
CREATE TABLE call_outs (
  id                 bigserial PRIMARY KEY,
  -- Effect key of the conversation step that recorded it: a replayed turn finds the same row.
  idempotency_key    text        NOT NULL UNIQUE,
  conversation_id    text,
  kind               text        NOT NULL CHECK (kind IN ('callout', 'late')),
  channel            text        NOT NULL,
  caregiver_id       text        NOT NULL,
  caller_phone       text        NOT NULL,
  lang               text        NOT NULL DEFAULT 'en',
  shift_id           text        NOT NULL,
  client_id          text        NOT NULL,
  shift_start        timestamptz NOT NULL,
  shift_end          timestamptz NOT NULL,
  reason             text,
  eta_minutes        integer,
  urgent             boolean     NOT NULL DEFAULT false,
  status             text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled', 'filled', 'noted')),
  admin_task_id      text,
  -- 'opened' (PUT without caregiver), 'off' (writeBack false), 'refused' (403), 'failed'
  write_back         text,
  scheduler_notified boolean     NOT NULL DEFAULT false,
  processed_at       timestamptz,
  cancelled_at       timestamptz,
  created_at         timestamptz NOT NULL
);
CREATE INDEX call_outs_caregiver ON call_outs (caregiver_id, status);

-- One campaign per call-out: who was offered the shift, who took it, when.
CREATE TABLE campaigns (
  id                  bigserial PRIMARY KEY,
  call_out_id         bigint      NOT NULL UNIQUE REFERENCES call_outs (id),
  shift_id            text        NOT NULL,
  client_id           text        NOT NULL,
  shift_start         timestamptz NOT NULL,
  shift_end           timestamptz NOT NULL,
  -- The code caregivers reply with ("YES 4821"); unique among campaigns still open.
  claim_code          text        NOT NULL,
  status              text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'filled', 'cancelled', 'expired')),
  area                text,
  skills              text,
  waves_sent          integer     NOT NULL DEFAULT 0,
  candidates_ready    boolean     NOT NULL DEFAULT false,
  winner_caregiver_id text,
  winner_phone        text,
  -- 'verified' (PUT and read back), 'off', 'refused', 'mismatch', 'failed'
  write_back          text,
  -- The AdminTask asking a person to assign the winner when write-back is off or refused.
  assign_task_id      text,
  escalated_at        timestamptz,
  acknowledged_by     text,
  acknowledged_at     timestamptz,
  call_out_at         timestamptz NOT NULL,
  created_at          timestamptz NOT NULL,
  first_offer_at      timestamptz,
  filled_at           timestamptz,
  closed_at           timestamptz
);
CREATE UNIQUE INDEX campaigns_open_code ON campaigns (claim_code) WHERE status = 'open';

-- Every caregiver considered, with each ranking factor, so the order can be explained.
CREATE TABLE campaign_candidates (
  campaign_id        bigint      NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  caregiver_id       text        NOT NULL,
  phone              text,
  first_name         text,
  lang               text        NOT NULL DEFAULT 'en',
  -- Position by the factors known before the WellSky check (1 = best).
  rank               integer     NOT NULL,
  worked_for_client  boolean     NOT NULL DEFAULT false,
  same_area          boolean     NOT NULL DEFAULT false,
  shares_language    boolean     NOT NULL DEFAULT false,
  skills_matched     integer     NOT NULL DEFAULT 0,
  skills_needed      integer     NOT NULL DEFAULT 0,
  hours_this_week    numeric,
  avg_reply_seconds  numeric,
  -- 'pending' (not checked yet), 'eligible', or why not: 'overlap', 'over_hours', 'check_failed'
  eligibility        text        NOT NULL DEFAULT 'pending',
  checked_at         timestamptz,
  PRIMARY KEY (campaign_id, caregiver_id)
);

-- One offer per caregiver per campaign: nobody is offered the same shift twice.
CREATE TABLE offers (
  id            bigserial PRIMARY KEY,
  campaign_id   bigint      NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  caregiver_id  text        NOT NULL,
  phone         text        NOT NULL,
  lang          text        NOT NULL DEFAULT 'en',
  wave          integer     NOT NULL,
  claim_code    text        NOT NULL,
  -- open → claimed (the winner) | too_late (said yes after the winner) | declined | withdrawn
  status        text        NOT NULL DEFAULT 'open',
  sent_at       timestamptz NOT NULL,
  replied_at    timestamptz,
  UNIQUE (campaign_id, caregiver_id)
);
CREATE INDEX offers_phone ON offers (phone, status);

-- Who on the on-call chain was told when.
CREATE TABLE escalations (
  id           bigserial PRIMARY KEY,
  campaign_id  bigint      NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  step         integer     NOT NULL,
  staff_name   text        NOT NULL,
  staff_phone  text        NOT NULL,
  reason       text        NOT NULL,
  sent_at      timestamptz NOT NULL,
  UNIQUE (campaign_id, step)
);
