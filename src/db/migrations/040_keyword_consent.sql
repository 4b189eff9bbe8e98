-- Opt-out and help keywords in English and Spanish (docs/privacy.md "Opt-out and help keywords").

-- Whether Twilio itself blocks texts to this number (an English STOP keyword, a 21610, or a
-- keyword of the Messaging Service's Advanced Opt-Out): only Twilio's own opt-in words lift that.
ALTER TABLE sms_opt_outs ADD COLUMN twilio_blocked boolean NOT NULL DEFAULT false;
UPDATE sms_opt_outs SET twilio_blocked = opted_out
  AND (keyword IN ('STOP', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'CANCEL') OR keyword LIKE 'twilio%');

-- Each consent change with where it came from: 'sms' (a keyword texted to us), 'console' (staff),
-- 'twilio' (a 21610 on a send or in a status callback); and the text that made it, when one did.
ALTER TABLE sms_opt_out_history ADD COLUMN channel text NOT NULL DEFAULT 'sms';
ALTER TABLE sms_opt_out_history ADD COLUMN message_sid text;
UPDATE sms_opt_out_history SET channel = CASE source WHEN 'staff' THEN 'console' WHEN 'inbound' THEN 'sms' ELSE 'twilio' END;

-- Every keyword text received, once per MessageSid (a retried webhook is not answered twice):
-- the word, its language, who answered it ('twilio', 'product' or 'none') and whether it changed
-- the number's consent.
CREATE TABLE sms_keyword_messages (
  message_sid     text        PRIMARY KEY,
  phone           text        NOT NULL,
  keyword         text        NOT NULL,
  kind            text        NOT NULL,
  lang            text        NOT NULL,
  answered_by     text        NOT NULL,
  consent_changed boolean     NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_keyword_messages_phone ON sms_keyword_messages (phone, created_at);
