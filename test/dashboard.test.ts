import request from 'supertest';
import { describeEachDb } from './support/db';
import { AGENCY_NUMBER, startFrontDoor, type FrontDoor } from './support/app';

describeEachDb('ops dashboard and health', (ctx) => {
  let fd: FrontDoor;
  beforeAll(async () => {
    fd = await startFrontDoor(ctx.db, { env: { ADMIN_PASSWORD: 'correct horse' } });
  });
  afterAll(async () => {
    await fd.close();
  });

  it('asks for the admin password (basic auth fallback) and shows conversations without full phone numbers', async () => {
    await fd.post('/twilio/voice', { CallSid: fd.callSid(), From: '+13035550996', To: AGENCY_NUMBER });
    expect((await request(fd.app).get('/dashboard/conversations').set('Accept', 'application/json')).status).toBe(401);
    expect((await request(fd.app).get('/dashboard/conversations').auth('admin', 'wrong')).status).toBe(401);
    const page = await request(fd.app).get('/dashboard/conversations').auth('admin', 'correct horse');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Conversations');
    expect(page.text).toContain('***0996');
    expect(page.text).not.toContain('3035550996');
  });
  // /healthz, /readyz and the per-IP limits: test/public-endpoints.test.ts.
}, { resetEach: false });
