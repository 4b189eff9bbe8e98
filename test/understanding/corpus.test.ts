/**
 * The labelled corpus (test/understanding/corpus/*.jsonl) as a test. Two hard rules fail it: an
 * emergency not understood as one, and a complaint answered with info (hours, area, services).
 * The accuracy figure itself is for `npm run eval:understanding` and docs/understanding.md.
 */
import { readUtterance } from '../../flows/understand';
import { evaluate, loadCorpus } from './evaluate';

describe('the understanding corpus', () => {
  const rows = loadCorpus();
  const e = evaluate(rows);

  it('holds at least 600 utterances, 60 per main intent, in English and Spanish', () => {
    expect(rows.length).toBeGreaterThanOrEqual(600);
    for (const intent of ['emergency', 'callout', 'late', 'claimShift', 'complaint', 'whereIsCaregiver', 'newClient', 'operator']) {
      expect(rows.filter((r) => r.intent === intent).length).toBeGreaterThanOrEqual(60);
    }
    expect(rows.filter((r) => ['hours', 'serviceArea', 'services'].includes(r.intent)).length).toBeGreaterThanOrEqual(60);
    expect(rows.filter((r) => r.intent === 'emergency' && r.tags?.includes('indirect')).length).toBeGreaterThanOrEqual(40);
    expect(rows.filter((r) => r.intent === 'complaint' && r.tags?.includes('times')).length).toBeGreaterThanOrEqual(40);
    expect(rows.filter((r) => r.tags?.includes('digits')).length).toBeGreaterThanOrEqual(40);
    expect(rows.filter((r) => r.lang === 'es').length).toBeGreaterThanOrEqual(100);
  });

  it('misses no emergency', () => {
    expect(e.emergenciesMissed.map((m) => `${m.row.text} → ${m.got}`)).toEqual([]);
  });

  it('answers no complaint with office hours, the service area or the list of services', () => {
    expect(e.complaintsGivenInfo.map((m) => `${m.row.text} → ${m.got}`)).toEqual([]);
  });

  it('takes no digits inside another sentence for a claim code', () => {
    const wrongCodes = rows.filter((r) => r.entities && 'claimCode' in r.entities && r.entities.claimCode === null)
      .filter((r) => readUtterance(r.text, { role: r.role }).entities.claim?.code !== undefined)
      .map((r) => r.text);
    expect(wrongCodes).toEqual([]);
  });
});
