import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, parseAgencyConfig } from '../src/config';

const example = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'config', 'agency.example.json'), 'utf8'));

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

const agencyCopy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agency-copy-')), 'agency.json');
fs.writeFileSync(agencyCopy, JSON.stringify(example));

const live = {
  WELLSKY_CLIENT_ID: 'id', WELLSKY_CLIENT_SECRET: 'secret', WELLSKY_AGENCY_ID: '1669',
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'tok', TWILIO_PHONE_NUMBER: '+13035550100',
  PUBLIC_BASE_URL: 'https://frontdoor.example.com', ADMIN_PASSWORD: 'a long admin password', AGENCY_CONFIG: agencyCopy,
};

describe('configuration', () => {
  it('starts on the embedded defaults with nothing set: sandbox, dev Twilio, PGlite, the bundled agency', () => {
    const c = loadConfig({});
    expect(c.wellsky.mode).toBe('sandbox');
    expect(c.twilio.mode).toBe('dev');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe('./data');
    expect(c.port).toBe(3000);
    expect(c.agency.agency.timezone).toBe('America/Denver');
    expect(c.wellskyMaxRequestsPerSecond).toBeUndefined();
    expect(loadConfig({ WELLSKY_MAX_RPS: '30' }).wellskyMaxRequestsPerSecond).toBe(30);
    expect(configError({ WELLSKY_MAX_RPS: 'lots' })).toMatch(/^WELLSKY_MAX_RPS: /);
    expect(configError({ WELLSKY_MAX_RPS: '0' })).toMatch(/^WELLSKY_MAX_RPS: must be at least 1/);
    expect(c.agency.shiftFill).toMatchObject({ waveSize: 8, escalationStepSeconds: 300, writeBack: true });
  });

  it('names the key and the problem in one line for a bad value', () => {
    expect(configError({ PORT: 'abc' })).toMatch(/^PORT: /);
    expect(configError({ DATABASE_URL: 'mysql://x' })).toBe('DATABASE_URL: must start with postgres:// or postgresql://');
    expect(configError({ TWILIO_ACCOUNT_SID: 'nope', TWILIO_AUTH_TOKEN: 't' })).toMatch(/^TWILIO_ACCOUNT_SID: /);
    expect(configError({ WELLSKY_CLIENT_ID: 'x' })).toMatch(/^WELLSKY_CLIENT_SECRET: is required/);
    expect(configError({ AGENCY_CONFIG: '/nonexistent/agency.json' })).toMatch(/^AGENCY_CONFIG: cannot read/);
    for (const m of [configError({ PORT: 'abc' })]) expect(m.split('\n')).toHaveLength(1);
  });

  // Every combination of credentials and NODE_ENV: test/startup-safety.test.ts.
  it('refuses dev conveniences in production', () => {
    expect(configError({ NODE_ENV: 'production' })).toMatch(/^WELLSKY_CLIENT_ID: is required in production/);
    const noTwilio = { ...live, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', NODE_ENV: 'production' };
    expect(configError(noTwilio)).toMatch(/^TWILIO_ACCOUNT_SID: is required in production/);
    expect(configError({ ...live, NODE_ENV: 'production', PUBLIC_BASE_URL: 'http://frontdoor.example.com' })).toMatch(/^PUBLIC_BASE_URL: must be https/);
    expect(configError({ ...live, NODE_ENV: 'production', ADMIN_PASSWORD: '' })).toMatch(/^ADMIN_PASSWORD: is required in production/);
    expect(loadConfig({ ...live, NODE_ENV: 'production' }).twilio.mode).toBe('live');
  });

  it('rejects unknown keys in the agency config with their path', () => {
    const bad = { ...example, shiftFill: { ...example.shiftFill, waveSise: 3 } };
    expect(() => parseAgencyConfig(bad)).toThrow('shiftFill.waveSise: unknown key');
  });

  it('rejects a bad time zone, office hours, or staff phone with the path', () => {
    expect(() => parseAgencyConfig({ ...example, agency: { ...example.agency, timezone: 'Mars/Olympus' } })).toThrow(/agency\.timezone: must be an IANA time zone/);
    expect(() => parseAgencyConfig({ ...example, officeHours: { ...example.officeHours, mon: '8-5' } })).toThrow(/officeHours\.mon: must be "HH:MM-HH:MM"/);
    expect(() => parseAgencyConfig({ ...example, wellskyLinks: { patient: 'http://agency.example/clients/{id}' } })).toThrow(/wellskyLinks\.patient: must be an https:\/\/ address/);
    expect(() => parseAgencyConfig({ ...example, wellskyLinks: { adminTask: 'https://agency.example/tasks/' } })).toThrow(/wellskyLinks\.adminTask: must contain \{id\}/);
    const staff = [{ ...example.staff[0], phone: '303-555-0105' }];
    expect(() => parseAgencyConfig({ ...example, staff })).toThrow(/staff\.0\.phone: must be a US phone number in E\.164/);
  });

  it('reads an agency config file named by AGENCY_CONFIG, filling optional keys with defaults', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agency-')), 'agency.json');
    const { shiftFill: _omit, serviceArea: _sa, callbackPromise: _cb, ...minimal } = example;
    fs.writeFileSync(file, JSON.stringify(minimal));
    const c = loadConfig({ AGENCY_CONFIG: file });
    expect(c.agency.shiftFill.maxWeeklyHours).toBe(40);
    expect(c.agency.callbackPromise.hours).toBe(4);
  });

  it('needs at least one on-call person', () => {
    const staff = example.staff.map((s: { roles: string[] }) => ({ ...s, roles: s.roles.filter((r) => r !== 'oncall') }));
    expect(() => parseAgencyConfig({ ...example, staff })).toThrow(/oncall/);
  });
});
