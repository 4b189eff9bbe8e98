// Tests run in dev mode unless a test says otherwise: no credentials leak in from the shell.
process.env.NODE_ENV = 'test';
for (const key of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'WELLSKY_CLIENT_ID', 'WELLSKY_CLIENT_SECRET', 'DATABASE_URL']) {
  delete process.env[key];
}
