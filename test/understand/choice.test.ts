import { pickChoice, type ChoiceOption } from '../../flows/understand';

const denver = 'America/Denver';

/** Monday 2026-03-02, 06:00 in Denver (MST, UTC-7). */
const ctx = { now: '2026-03-02T13:00:00Z', timezone: denver };
const shifts: ChoiceOption[] = [
  { id: 'mon-8am', startIso: '2026-03-02T15:00:00Z', endIso: '2026-03-02T19:00:00Z', clientFirstName: 'Dorothy' },
  { id: 'mon-2pm', startIso: '2026-03-02T21:00:00Z', endIso: '2026-03-03T01:00:00Z', clientFirstName: 'Walter' },
  { id: 'tue-8am', startIso: '2026-03-03T15:00:00Z', endIso: '2026-03-03T19:00:00Z', clientFirstName: 'Dorothy' },
  { id: 'tue-6pm', startIso: '2026-03-04T01:00:00Z', endIso: '2026-03-04T05:00:00Z', clientFirstName: 'Mary Ann' },
];

describe('pickChoice among four shifts (Mon 8 AM Dorothy, Mon 2 PM Walter, Tue 8 AM Dorothy, Tue 6 PM Mary Ann)', () => {
  it.each<[string | undefined, string | undefined, ReturnType<typeof pickChoice>]>([
    // keys and numbers: the position as read
    [undefined, '2', { id: 'mon-2pm' }],
    ['', '4', { id: 'tue-6pm' }],
    [undefined, '9', undefined],
    ['2', undefined, { id: 'mon-2pm' }],
    ['two', undefined, { id: 'mon-2pm' }],
    ['Number three', undefined, { id: 'tue-8am' }],
    ['one', undefined, { id: 'mon-8am' }],
    // ordinals
    ['The second one', undefined, { id: 'mon-2pm' }],
    ['the first', undefined, { id: 'mon-8am' }],
    ['The last one.', undefined, { id: 'tue-6pm' }],
    ['third', undefined, { id: 'tue-8am' }],
    ['la segunda', undefined, { id: 'mon-2pm' }],
    ['el primero', undefined, { id: 'mon-8am' }],
    ['la última', undefined, { id: 'tue-6pm' }],
    ['the second one tomorrow', undefined, { id: 'tue-6pm' }],
    // times
    ['the 2 pm one', undefined, { id: 'mon-2pm' }],
    ["the 2 o'clock", undefined, { id: 'mon-2pm' }],
    ['the 6 pm', undefined, { id: 'tue-6pm' }],
    ["the 8 o'clock", undefined, { ambiguous: ['mon-8am', 'tue-8am'] }],
    ['eight am', undefined, { ambiguous: ['mon-8am', 'tue-8am'] }],
    ['the one at 6', undefined, { id: 'tue-6pm' }],
    ['a las dos', undefined, { id: 'mon-2pm' }],
    // days
    ['today', undefined, { ambiguous: ['mon-8am', 'mon-2pm'] }],
    ['tomorrow', undefined, { ambiguous: ['tue-8am', 'tue-6pm'] }],
    ['tomorrow morning', undefined, { id: 'tue-8am' }],
    ['this afternoon', undefined, { id: 'mon-2pm' }],
    ['tomorrow evening', undefined, { id: 'tue-6pm' }],
    ['Tuesday', undefined, { ambiguous: ['tue-8am', 'tue-6pm'] }],
    ['mañana', undefined, { ambiguous: ['tue-8am', 'tue-6pm'] }],
    ['hoy', undefined, { ambiguous: ['mon-8am', 'mon-2pm'] }],
    ['mañana en la mañana', undefined, { id: 'tue-8am' }],
    ['hoy a las ocho', undefined, { id: 'mon-8am' }],
    // combinations
    ['tomorrow at 8', undefined, { id: 'tue-8am' }],
    ["today's 8 o'clock", undefined, { id: 'mon-8am' }],
    ['mañana a las ocho', undefined, { id: 'tue-8am' }],
    // client names
    ['the one with Walter', undefined, { id: 'mon-2pm' }],
    ["Walter's", undefined, { id: 'mon-2pm' }],
    ['Dorothy', undefined, { ambiguous: ['mon-8am', 'tue-8am'] }],
    ["Dorothy's tomorrow", undefined, { id: 'tue-8am' }],
    ['the one with Mary Ann', undefined, { id: 'tue-6pm' }],
    ['la de Walter', undefined, { id: 'mon-2pm' }],
    // self-corrections: what was said instead decides
    ['the 8 am tomorrow, no wait, the 6 pm one', undefined, { id: 'tue-6pm' }],
    ['my shift on Monday, no wait, Tuesday morning', undefined, { id: 'tue-8am' }],
    ['Walter, actually I mean Mary Ann', undefined, { id: 'tue-6pm' }],
    ['the first one, actually the third', undefined, { id: 'tue-8am' }],
    ['Walter no, Mary Ann', undefined, { id: 'tue-6pm' }],
    ['el de Walter, no espere, el de mañana en la noche', undefined, { id: 'tue-6pm' }],
    // a correction with nothing usable after it: the whole answer
    ['the one with Walter, actually', undefined, { id: 'mon-2pm' }],
    ['actually the one with Walter', undefined, { id: 'mon-2pm' }],
    // nothing
    ['the one with Harold', undefined, undefined],
    ['Friday', undefined, undefined],
    ['I am not sure', undefined, undefined],
    [undefined, undefined, undefined],
  ])('%j (digits %s) → %j', (text, digits, expected) => {
    expect(pickChoice(text, digits, shifts, ctx)).toEqual(expected);
  });

  it('takes "no, the other one" as the one of two not named before', () => {
    const two = shifts.slice(0, 2);
    expect(pickChoice('the first one, no, the other one', undefined, two, ctx)).toEqual({ id: 'mon-2pm' });
    expect(pickChoice('la de Walter, no, la otra', undefined, two, ctx)).toEqual({ id: 'mon-8am' });
    // among four, "the other one" names no one
    expect(pickChoice('the first one, no, the other one', undefined, shifts, ctx)).toBeUndefined();
  });

  it('finds nothing among no options', () => {
    expect(pickChoice('the first one', undefined, [], ctx)).toBeUndefined();
  });
});

describe('pickChoice on the day Denver springs forward (2026-03-08)', () => {
  // 01:30 MST; the 8 AM shift is 8 AM MDT (14:00Z), the 2 PM shift is 20:00Z.
  const dst = { now: '2026-03-08T08:30:00Z', timezone: denver };
  const sunday: ChoiceOption[] = [
    { id: 'sun-8am', startIso: '2026-03-08T14:00:00Z', endIso: '2026-03-08T18:00:00Z', clientFirstName: 'Dorothy' },
    { id: 'sun-2pm', startIso: '2026-03-08T20:00:00Z', endIso: '2026-03-09T00:00:00Z', clientFirstName: 'Walter' },
  ];

  it.each<[string, string]>([
    ["the 8 o'clock", 'sun-8am'],
    ['eight am', 'sun-8am'],
    ['the 2 pm one', 'sun-2pm'],
    ['this morning', 'sun-8am'],
    ['today at 2', 'sun-2pm'],
    ['a las ocho', 'sun-8am'],
  ])('%j → %s', (text, id) => {
    expect(pickChoice(text, undefined, sunday, dst)).toEqual({ id });
  });
});

describe('pickChoice on the day Denver falls back (2026-11-01)', () => {
  // 00:30 MDT; after 02:00 MDT clocks go back to 01:00 MST. 8 AM MST is 15:00Z.
  const fallBack = { now: '2026-11-01T06:30:00Z', timezone: denver };
  const sunday: ChoiceOption[] = [
    { id: 'sun-8am', startIso: '2026-11-01T15:00:00Z', endIso: '2026-11-01T19:00:00Z' },
    { id: 'sun-2pm', startIso: '2026-11-01T21:00:00Z', endIso: '2026-11-02T01:00:00Z' },
  ];

  it.each<[string, string]>([
    ["the 8 o'clock", 'sun-8am'],
    ['the 2 pm one', 'sun-2pm'],
    ['this afternoon', 'sun-2pm'],
  ])('%j → %s', (text, id) => {
    expect(pickChoice(text, undefined, sunday, fallBack)).toEqual({ id });
  });
});

describe('pickChoice by calendar date, across the spring-forward change', () => {
  /** Saturday 2026-03-07, 20:00 in Denver (MST); clocks go forward at 02:00 Sunday. */
  const saturday = { now: '2026-03-08T03:00:00Z', timezone: denver };
  const around: ChoiceOption[] = [
    { id: 'sun-9am', startIso: '2026-03-08T15:00:00Z', endIso: '2026-03-08T19:00:00Z' }, // 09:00 MDT
    { id: 'mon-9am', startIso: '2026-03-09T15:00:00Z', endIso: '2026-03-09T19:00:00Z' }, // 09:00 MDT
  ];
  it.each<[string, string]>([
    ['the one on March 9', 'mon-9am'],
    ['3/8', 'sun-9am'],
    ['el 9 de marzo', 'mon-9am'],
    ['Sunday at 9', 'sun-9am'],
    ['tomorrow 9am', 'sun-9am'],
  ])('%j → %s', (text, id) => {
    expect(pickChoice(text, undefined, around, saturday)).toEqual({ id });
  });
});
