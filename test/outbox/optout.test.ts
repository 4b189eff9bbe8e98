import { FakeClock } from '../../src/clock';
import { classifyKeyword, createOptOutLedger, isTwilioKeyword, keywordLanguage } from '../../src/twilio/optout';
import { describeEachDb } from '../support/db';

const CAREGIVER = '+13035550142';

describe('classifyKeyword', () => {
  it.each([
    ['STOP', 'stop'], ['stop', 'stop'], ['  Stop ', 'stop'], ['STOPALL', 'stop'], ['unsubscribe', 'stop'], ['END', 'stop'],
    ['quit', 'stop'], ['REVOKE', 'stop'], ['optout', 'stop'], ['Cancel', 'stop'], ['Stop.', 'stop'],
    ['START', 'start'], ['yes', 'start'], ['UNSTOP', 'start'],
    ['HELP', 'help'], ['info', 'help'],
    ['PARAR', 'stop'], ['detener', 'stop'], ['Cancelar', 'stop'], ['alto', 'stop'], ['Baja', 'stop'],
    ['COMENZAR', 'start'], ['iniciar', 'start'], ['alta', 'start'], ['AYUDA', 'help'],
  ])('reads %p as %p', (body, expected) => {
    expect(classifyKeyword(body)).toBe(expected);
  });

  it.each(['stop texting me at night', 'YES 4821', 'please cancel my shift', 'yes please', '', 'helpful'])('treats %p as an ordinary message', (body) => {
    expect(classifyKeyword(body)).toBeNull();
  });

  it('knows which words Twilio acts on itself and which only the ledger honours', () => {
    expect(isTwilioKeyword('stop')).toBe(true);
    expect(isTwilioKeyword('YES')).toBe(true);
    expect(isTwilioKeyword('PARAR')).toBe(false);
    expect(isTwilioKeyword('ayuda')).toBe(false);
    expect(isTwilioKeyword('BAJA')).toBe(false);
  });

  it('knows the language each keyword is written in', () => {
    expect(['stop', 'HELP', 'yes'].map(keywordLanguage)).toEqual(['en', 'en', 'en']);
    expect(['parar', 'Baja', 'ALTA', 'ayuda'].map(keywordLanguage)).toEqual(['es', 'es', 'es', 'es']);
    expect(keywordLanguage('hola')).toBeNull();
  });
});

describeEachDb('opt-out ledger', (ctx) => {
  const ledger = () => createOptOutLedger({ db: ctx.db, clock: new FakeClock('2026-03-02T15:00:00Z') });

  it('opts a number out on STOP and back in on START, keeping the history', async () => {
    const l = ledger();
    expect(await l.isOptedOut(CAREGIVER)).toBe(false);
    expect(await l.recordInbound(CAREGIVER, 'STOP')).toEqual({ keyword: 'stop', twilioKeyword: true, optedOut: true, changed: true });
    expect(await l.isOptedOut('(303) 555-0142')).toBe(true); // any written form of the number
    expect(await l.recordInbound(CAREGIVER, 'stop')).toMatchObject({ optedOut: true, changed: false });
    expect(await l.recordInbound(CAREGIVER, 'start')).toMatchObject({ keyword: 'start', optedOut: false, changed: true });
    expect(await l.isOptedOut(CAREGIVER)).toBe(false);
    expect((await l.history(CAREGIVER)).map((h) => [h.optedOut, h.keyword, h.source])).toEqual([
      [true, 'STOP', 'inbound'],
      [false, 'START', 'inbound'],
    ]);
  });

  it('records a bare YES as an opt-in only from a number that had opted out', async () => {
    const l = ledger();
    expect(await l.recordInbound(CAREGIVER, 'YES')).toEqual({ keyword: 'start', twilioKeyword: true, optedOut: false, changed: false });
    expect(await l.history(CAREGIVER)).toEqual([]);
    await l.recordInbound(CAREGIVER, 'QUIT');
    expect(await l.recordInbound(CAREGIVER, 'Yes')).toMatchObject({ optedOut: false, changed: true });
    expect(await l.isOptedOut(CAREGIVER)).toBe(false);
  });

  it('honours Spanish keywords that Twilio does not act on', async () => {
    const l = ledger();
    expect(await l.recordInbound(CAREGIVER, 'Parar')).toEqual({ keyword: 'stop', twilioKeyword: false, optedOut: true, changed: true });
    expect(await l.isOptedOut(CAREGIVER)).toBe(true);
    expect(await l.recordInbound(CAREGIVER, 'AYUDA')).toMatchObject({ keyword: 'help', optedOut: true, changed: false });
    expect(await l.recordInbound(CAREGIVER, 'comenzar')).toMatchObject({ keyword: 'start', optedOut: false, changed: true });
  });

  it('leaves the ledger alone for ordinary messages', async () => {
    const l = ledger();
    expect(await l.recordInbound(CAREGIVER, "I'm sick, I can't make tomorrow at 8")).toEqual({ keyword: null, twilioKeyword: false, optedOut: false, changed: false });
    expect(await l.history(CAREGIVER)).toEqual([]);
  });

  it('can be marked by the system with a reason', async () => {
    const l = ledger();
    await l.markOptedOut(CAREGIVER, 'twilio 21610', 'twilio_error');
    expect(await l.isOptedOut(CAREGIVER)).toBe(true);
    expect((await l.history(CAREGIVER))[0]).toMatchObject({ optedOut: true, keyword: 'twilio 21610', source: 'twilio_error' });
  });
});
