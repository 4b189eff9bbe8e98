import { parseEta, parseDayTime } from '../../flows/understand';

const denver = 'America/Denver';
/** Monday 2026-03-02, 07:10 in Denver (14:10Z, MST). */
const monday = { now: '2026-03-02T14:10:00Z', timezone: denver };
/** Sunday 2026-03-08, the day clocks spring forward in Denver; 01:00 MST = 08:00Z. */
const dstDay = { now: '2026-03-08T08:00:00Z', timezone: denver };

describe('parseEta', () => {
  it.each<[string, number]>([
    ['20 minutes', 20],
    ["I'm running about 20 minutes late", 20],
    ['twenty minutes', 20],
    ['15 min', 15],
    ['15min', 15],
    ['half an hour', 30],
    ['about an hour', 60],
    ['an hour and a half', 90],
    ['2 hours', 120],
    ['1.5 hours', 90],
    ['1 hour 15 minutes', 75],
    ['10 to 15 minutes', 15],
    ['10-15 minutes', 15],
    ['a few minutes', 10],
    ["I'll be there in 10", 10],
    ['veinte minutos', 20],
    ['media hora', 30],
    ['una hora y media', 90],
    ['como quince minutos', 15],
    ['by 7:30', 20],
    ['by 8', 50],
    ['around 9:30', 140],
    ['a las ocho', 50],
    ['a las ocho y media', 80],
    // self-corrections: the corrected figure, in the unit said before it when only a number follows
    ["I'll be 20 minutes late, actually more like 40", 40],
    ['45 minutes, no wait, 30', 30],
    ["I'll be there in 15, sorry I mean 30", 30],
    ['an hour, no wait, two', 120],
    ['about 10 minutes, actually I mean 15 minutes', 15],
    ['veinte minutos, no espere, cuarenta', 40],
    ["I'm actually 20 minutes away", 20],
  ])('%j → %d minutes (now 7:10 AM)', (text, minutes) => {
    expect(parseEta(text, monday)).toEqual({ minutes });
  });

  it('counts real minutes across the spring-forward gap', () => {
    // 01:00 MST → 09:30 MDT is 7.5 hours, not 8.5.
    expect(parseEta('by 9:30', dstDay)).toEqual({ minutes: 450 });
  });

  it.each(["I'm running late", 'soon', ''])('%j gives no ETA', (text) => {
    expect(parseEta(text, monday)).toBeUndefined();
  });
});

describe('parseDayTime', () => {
  it.each([
    ['tomorrow morning', { date: '2026-03-03', partOfDay: 'morning' }],
    ['today', { date: '2026-03-02' }],
    ['this afternoon', { date: '2026-03-02', partOfDay: 'afternoon' }],
    ['tonight at 9', { date: '2026-03-02', partOfDay: 'night', hour: 21, minute: 0 }],
    ['tomorrow at 8', { date: '2026-03-03', hour: 8, minute: 0, ambiguousMeridiem: true }],
    ['tomorrow at 8 am', { date: '2026-03-03', hour: 8, minute: 0 }],
    ['the 2 pm one', { hour: 14, minute: 0 }],
    ["the 8 o'clock", { hour: 8, minute: 0, ambiguousMeridiem: true }],
    ['eight thirty in the morning', { partOfDay: 'morning', hour: 8, minute: 30 }],
    ['quarter to nine', { hour: 8, minute: 45, ambiguousMeridiem: true }],
    ['noon', { hour: 12, minute: 0 }],
    ['Friday', { date: '2026-03-06' }],
    ['Monday', { date: '2026-03-02' }],
    ['next Monday', { date: '2026-03-09' }],
    ['the day after tomorrow', { date: '2026-03-04' }],
    ['mañana', { date: '2026-03-03' }],
    ['hoy', { date: '2026-03-02' }],
    ['mañana por la mañana', { date: '2026-03-03', partOfDay: 'morning' }],
    ['esta tarde', { date: '2026-03-02', partOfDay: 'afternoon' }],
    ['a las ocho', { hour: 8, minute: 0, ambiguousMeridiem: true }],
    ['a las 3 de la tarde', { partOfDay: 'afternoon', hour: 15, minute: 0 }],
    ['el viernes a la una', { date: '2026-03-06', hour: 1, minute: 0, ambiguousMeridiem: true }],
    ['a las nueve menos cuarto', { hour: 8, minute: 45, ambiguousMeridiem: true }],
  ])('%j → %j', (text, expected) => {
    expect(parseDayTime(text, monday)).toEqual(expected);
  });

  it('resolves "tomorrow" in the agency zone, not in UTC', () => {
    // 23:30 in Denver on Monday is already Tuesday in UTC.
    expect(parseDayTime('tomorrow', { now: '2026-03-03T06:30:00Z', timezone: denver })).toEqual({ date: '2026-03-03' });
  });

  it.each([
    ['my shift on Tuesday, no wait, Wednesday', { date: '2026-03-04' }],
    ['tomorrow, actually Thursday', { date: '2026-03-05' }],
    ['el martes, no espere, el miércoles', { date: '2026-03-04' }],
    ['tomorrow at 8, actually', { date: '2026-03-03', hour: 8, minute: 0, ambiguousMeridiem: true }],
  ])('%j: the corrected day → %j', (text, expected) => {
    expect(parseDayTime(text, monday)).toEqual(expected);
  });

  it.each(['20 minutes', 'I want the shift', ''])('%j says no day or time', (text) => {
    expect(parseDayTime(text, monday)).toBeUndefined();
  });
});

describe('calendar dates (chrono-node), in the agency zone', () => {
  /** Saturday 2026-03-07, 23:30 in Denver (MST): the night before the clocks spring forward. */
  const saturdayNight = { now: '2026-03-08T06:30:00Z', timezone: denver };
  /** Monday 2026-12-07, 09:00 in Denver. */
  const december = { now: '2026-12-07T16:00:00Z', timezone: denver };

  it.each<[string, string]>([
    ["I can't make my shift on March 9", '2026-03-09'],
    ['my shift 3/10 is the problem', '2026-03-10'],
    ['the 12th of March', '2026-03-12'],
    ['no puedo ir el 9 de marzo', '2026-03-09'],
    ['el turno del 10 de marzo en la mañana', '2026-03-10'],
  ])('%j → %s', (text, date) => {
    expect(parseDayTime(text, saturdayNight)?.date).toBe(date);
  });

  it('takes a date said in December for January as next year', () => {
    expect(parseDayTime('my shift on January 3', december)?.date).toBe('2027-01-03');
    expect(parseDayTime('December 12 at 9am', december)).toEqual({ date: '2026-12-12', hour: 9, minute: 0 });
  });

  it('keeps the part of day said with the date', () => {
    expect(parseDayTime('el 9 de marzo por la mañana', saturdayNight)).toEqual({ date: '2026-03-09', partOfDay: 'morning' });
  });

  it('resolves "tomorrow" late on the night before the DST change to the local Sunday', () => {
    // 23:30 MST Saturday is 06:30Z Sunday: a UTC date would be right by luck, a naive +24 h wrong after the gap.
    expect(parseDayTime('tomorrow at 9', saturdayNight)?.date).toBe('2026-03-08');
    expect(parseDayTime('mañana a las nueve', saturdayNight)?.date).toBe('2026-03-08');
    expect(parseDayTime('pasado mañana', saturdayNight)?.date).toBe('2026-03-09');
  });

  it('reads "por la mañana" as the morning, not as tomorrow', () => {
    expect(parseDayTime('por la mañana', saturdayNight)).toEqual({ partOfDay: 'morning' });
  });
});
