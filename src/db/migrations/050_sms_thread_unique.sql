-- One live SMS thread per phone pair, kept by the database: a unique index on the active threads
-- lets a text start its thread in one statement (INSERT … ON CONFLICT DO NOTHING) instead of
-- a transaction around an advisory lock, a read and an insert.
--
-- Threads were kept single by that lock; should a pair still hold two active threads, all but its
-- latest are closed first (the latest is the one texts have been continuing).
UPDATE conversations c SET status = 'closed', closed_at = COALESCE(c.closed_at, now())
WHERE c.channel = 'sms' AND c.status = 'active' AND EXISTS (
  SELECT 1 FROM conversations d
  WHERE d.channel = 'sms' AND d.status = 'active' AND d.caller_phone = c.caller_phone AND d.agency_phone = c.agency_phone
    AND (d.last_activity_at > c.last_activity_at OR (d.last_activity_at = c.last_activity_at AND d.id > c.id))
);
DROP INDEX conversations_sms_thread;
-- Without last_activity_at in any index, a turn's update of the row (snapshot, activity, lease)
-- can be a HOT update: no index entry rewritten. Room on each page for those updates:
CREATE UNIQUE INDEX conversations_sms_thread ON conversations (caller_phone, agency_phone) WHERE channel = 'sms' AND status = 'active';
ALTER TABLE conversations SET (fillfactor = 70);
