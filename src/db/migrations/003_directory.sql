-- The caller directory: every phone on file mapped to who it belongs to, so that identifying a
-- caller costs no WellSky request (design.md, "Who is calling"). One row per (phone, person, and
-- for contacts the client they belong to). A person with no phone on file keeps one row with
-- phone '' so their name and language can still be looked up by id.
CREATE TABLE directory_entries (
  id                bigserial   PRIMARY KEY,
  -- E.164 ("+13035551234"), or '' for a person with no phone on file.
  phone             text        NOT NULL,
  kind              text        NOT NULL CHECK (kind IN ('caregiver', 'client', 'prospect', 'contact', 'staff')),
  -- WellSky id (Practitioner, Patient or RelatedPerson); for staff, their phone.
  person_id         text        NOT NULL,
  -- Contacts: the client (Patient) they belong to. Clients and prospects: their own id. Else ''.
  client_id         text        NOT NULL DEFAULT '',
  -- Contacts: that client's first name ("calling about Dorothy?").
  client_first_name text,
  first_name        text        NOT NULL DEFAULT '',
  last_name         text        NOT NULL DEFAULT '',
  -- Contacts: WellSky relationship code (SON, DAU, SPS, …).
  relationship      text,
  language          text        NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
  active            boolean     NOT NULL DEFAULT true,
  -- Caregivers: tagged isHired=true in WellSky.
  hired             boolean,
  -- Staff: their roles from the agency config (JSON array of strings).
  roles             jsonb,
  primary_contact   boolean     NOT NULL DEFAULT false,
  -- How the row got here: full sync, a WellSky webhook, a live search on a miss, the agency config.
  source            text        NOT NULL CHECK (source IN ('sync', 'webhook', 'live', 'config')),
  synced_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (phone, kind, person_id, client_id)
);
CREATE INDEX directory_entries_phone ON directory_entries (phone);
CREATE INDEX directory_entries_person ON directory_entries (person_id, kind);
CREATE INDEX directory_entries_client ON directory_entries (client_id) WHERE kind = 'contact';

-- People refreshed one at a time (webhook, live lookup) and when. A full sync builds its snapshot
-- from WellSky over seconds or minutes; anyone refreshed after it started is newer than its
-- snapshot and is left alone when it writes. Keys: caregiver:<id>, patient:<id>, contacts:<clientId>.
CREATE TABLE directory_refreshes (
  key           text        PRIMARY KEY,
  refreshed_at  timestamptz NOT NULL
);

-- One row per full sync, so ops can see when the directory was last filled and why it failed.
CREATE TABLE directory_sync_runs (
  id            bigserial   PRIMARY KEY,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz,
  status        text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed')),
  caregivers    integer,
  patients      integer,
  contacts      integer,
  removed       integer,
  -- Clients whose contacts could not be read this time (their previous contacts were kept).
  contact_failures integer,
  error         text
);
CREATE INDEX directory_sync_runs_started ON directory_sync_runs (started_at DESC);
