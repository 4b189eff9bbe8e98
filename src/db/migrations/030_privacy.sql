-- The PHI budget (docs/privacy.md): every outbound text has an audience, and shift-fill texts
-- carry their campaign, so what each recipient saw is one query per campaign. A text the budget
-- refuses is kept, never sent: status 'refused_privacy', with the kind of fact it gave away.
ALTER TABLE outbound_messages ADD COLUMN audience text;
ALTER TABLE outbound_messages ADD COLUMN campaign_id bigint;
UPDATE outbound_messages SET campaign_id = (meta->>'campaignId')::bigint WHERE meta->>'campaignId' ~ '^[0-9]+$';
UPDATE outbound_messages SET audience = CASE
    WHEN purpose = 'offer' THEN 'broadcast'
    WHEN purpose = 'shift_details' THEN 'assigned'
    WHEN purpose = 'family_notice' THEN 'family'
    WHEN purpose IN ('staff_alert', 'escalation', 'login_link', 'dead_letter_alert') THEN 'staff'
    ELSE 'caller' END;
CREATE INDEX outbound_messages_campaign ON outbound_messages (campaign_id, id) WHERE campaign_id IS NOT NULL;
ALTER TABLE outbound_messages DROP CONSTRAINT outbound_messages_status_check;
ALTER TABLE outbound_messages ADD CONSTRAINT outbound_messages_status_check CHECK (status IN
  ('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'suppressed_opted_out', 'bad_number', 'refused_privacy'));
