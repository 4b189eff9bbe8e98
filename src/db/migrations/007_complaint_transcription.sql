-- A complaint left as a voice recording gets Twilio's transcription when it arrives (after the call).
ALTER TABLE complaints ADD COLUMN transcription text;
CREATE INDEX complaints_recording ON complaints (recording_url) WHERE recording_url IS NOT NULL;
