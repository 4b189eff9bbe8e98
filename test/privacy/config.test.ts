/** The agency config's `privacy` section: safe defaults, narrowing allowed, widening a broadcast refused with the key. */
import fs from 'node:fs';
import path from 'node:path';
import { parseAgencyConfig, privacySettings } from '../../src/config';

const example = JSON.parse(fs.readFileSync(path.join(__dirname, '../../config/agency.example.json'), 'utf8'));

describe('agency config: privacy', () => {
  it('defaults to the safe budget when the section is left out', () => {
    const { budget, broadcastTagTypes } = privacySettings(parseAgencyConfig(example));
    expect(budget.broadcast).toEqual(['agency', 'day', 'time', 'length', 'area', 'skills', 'claimCode']);
    expect(budget.assigned).toContain('address');
    expect(budget.family).not.toContain('address');
    expect(broadcastTagTypes).toEqual(['skill', 'certification', 'language']);
  });

  it('takes a narrower budget and tag types, in lower case', () => {
    const cfg = parseAgencyConfig({ ...example, privacy: { broadcast: ['day', 'time', 'claimCode'], assigned: ['agency', 'day', 'time', 'clientName'], broadcastTagTypes: ['Skill'] } });
    expect(privacySettings(cfg)).toMatchObject({ budget: { broadcast: ['day', 'time', 'claimCode'], assigned: ['agency', 'day', 'time', 'clientName'] }, broadcastTagTypes: ['skill'] });
    expect(privacySettings(cfg).budget.family).toEqual(['agency', 'day', 'time', 'clientFirstName', 'caregiverFirstName', 'eta']);
  });

  it('refuses a broadcast that would carry a name, an address or a condition, or that drops the claim code', () => {
    expect(() => parseAgencyConfig({ ...example, privacy: { broadcast: ['day', 'time', 'claimCode', 'address'] } })).toThrow(/privacy\.broadcast\.3: a broadcast may carry only agency, day/);
    expect(() => parseAgencyConfig({ ...example, privacy: { broadcast: ['day', 'time', 'clientName', 'claimCode'] } })).toThrow(/privacy\.broadcast\.2:/);
    expect(() => parseAgencyConfig({ ...example, privacy: { broadcast: ['day', 'time'] } })).toThrow(/privacy\.broadcast: must keep day, time and claimCode/);
    expect(() => parseAgencyConfig({ ...example, privacy: { family: ['diagnosis'] } })).toThrow(/privacy\.family\.0: must be one of/);
    expect(() => parseAgencyConfig({ ...example, privacy: { everyone: [] } })).toThrow(/privacy\.everyone: unknown key/);
  });
});
