import {
  addLocalDays,
  endOfLocalDay,
  hoursBetween,
  isoWeekNo,
  localDate,
  localDateTime,
  localDaysAround,
  localToInstant,
  localWeek,
  monthNo,
  nowToEndOfTomorrow,
  overlaps,
  parseUtcDateTime,
  searchWindowCovering,
  startOfLocalDay,
  toSearchDate,
} from '../src/time';

const DENVER = 'America/Denver';

describe('agency time in America/Denver across daylight-saving changes', () => {
  describe('spring forward (Sunday 8 March 2026, 02:00 → 03:00)', () => {
    it('maps 8 AM on the Saturday before to 15:00 UTC (MST, UTC−7)', () => {
      expect(localToInstant('2026-03-07', '08:00', DENVER)).toBe('2026-03-07T15:00:00.000Z');
    });

    it('maps 8 AM on the Sunday of the change to 14:00 UTC (MDT, UTC−6)', () => {
      expect(localToInstant('2026-03-08', '08:00', DENVER)).toBe('2026-03-08T14:00:00.000Z');
    });

    it('makes the Sunday 23 hours long', () => {
      const start = startOfLocalDay('2026-03-08', DENVER);
      const end = endOfLocalDay('2026-03-08', DENVER);
      expect(start).toBe('2026-03-08T07:00:00.000Z');
      expect(end).toBe('2026-03-09T06:00:00.000Z');
      expect(hoursBetween(start, end)).toBe(23);
    });

    it('ends "tomorrow" 23 hours after its local midnight when tomorrow is the change', () => {
      const window = nowToEndOfTomorrow(new Date('2026-03-07T18:00:00Z'), DENVER); // Saturday 11 AM
      expect(window.start).toBe('2026-03-07T18:00:00.000Z');
      expect(window.end).toBe('2026-03-09T06:00:00.000Z');
      expect(hoursBetween(startOfLocalDay('2026-03-08', DENVER), window.end)).toBe(23);
    });

    it('moves a time skipped by the change (02:30) to the hour after', () => {
      expect(localToInstant('2026-03-08', '02:30', DENVER)).toBe('2026-03-08T09:30:00.000Z');
    });
  });

  describe('fall back (Sunday 1 November 2026, 02:00 → 01:00)', () => {
    it('maps 8 AM on the Saturday before to 14:00 UTC (MDT)', () => {
      expect(localToInstant('2026-10-31', '08:00', DENVER)).toBe('2026-10-31T14:00:00.000Z');
    });

    it('maps 8 AM on the Sunday of the change to 15:00 UTC (MST)', () => {
      expect(localToInstant('2026-11-01', '08:00', DENVER)).toBe('2026-11-01T15:00:00.000Z');
    });

    it('makes the Sunday 25 hours long', () => {
      expect(hoursBetween(startOfLocalDay('2026-11-01', DENVER), endOfLocalDay('2026-11-01', DENVER))).toBe(25);
    });

    it('ends "tomorrow" 25 hours after its local midnight when tomorrow is the change', () => {
      const window = nowToEndOfTomorrow('2026-10-31T20:00:00Z', DENVER);
      expect(window.end).toBe('2026-11-02T07:00:00.000Z');
      expect(hoursBetween(startOfLocalDay('2026-11-01', DENVER), window.end)).toBe(25);
    });

    it('reads the repeated 01:30 as its first occurrence (MDT)', () => {
      expect(localToInstant('2026-11-01', '01:30', DENVER)).toBe('2026-11-01T07:30:00.000Z');
    });

    it('shows a UTC shift start in local wall-clock time on the right side of the change', () => {
      expect(localDateTime('2026-11-01T07:30:00Z', DENVER)).toBe('2026-11-01T01:30:00');
      expect(localDateTime('2026-11-01T08:30:00Z', DENVER)).toBe('2026-11-01T01:30:00');
      expect(localDateTime('2026-11-01T15:00:00Z', DENVER)).toBe('2026-11-01T08:00:00');
    });
  });

  it('puts a late-evening call on the local date, not the UTC one', () => {
    // 22:30 on Saturday in Denver is already Sunday in UTC.
    expect(localDate('2026-03-08T05:30:00Z', DENVER)).toBe('2026-03-07');
  });

  it('ends an ordinary "tomorrow" 24 hours after its midnight', () => {
    const window = nowToEndOfTomorrow('2026-01-28T16:00:00Z', DENVER);
    expect(window.end).toBe('2026-01-30T07:00:00.000Z');
  });

  it('turns "now to end of tomorrow" into a WellSky search of today plus one day', () => {
    const window = nowToEndOfTomorrow('2026-03-07T18:00:00Z', DENVER);
    expect(searchWindowCovering(window, DENVER)).toEqual({ startDate: '2026-03-07', additionalDays: 1 });
  });

  it('does not count a day a window only touches at its exclusive end', () => {
    const window = { start: startOfLocalDay('2026-03-07', DENVER), end: endOfLocalDay('2026-03-07', DENVER) };
    expect(searchWindowCovering(window, DENVER)).toEqual({ startDate: '2026-03-07', additionalDays: 0 });
  });

  it('gives the complaint flow whole local days around now', () => {
    const around = localDaysAround('2026-03-10T18:00:00Z', DENVER, 7, 7);
    expect(around.start).toBe('2026-03-03T07:00:00.000Z'); // MST midnight
    expect(around.end).toBe('2026-03-18T06:00:00.000Z'); // MDT midnight
  });

  it("gives the agency's week Monday to Monday, local, across the change", () => {
    const week = localWeek('2026-03-08T20:00:00Z', DENVER); // Sunday afternoon
    expect(week.firstDate).toBe('2026-03-02');
    expect(week.start).toBe('2026-03-02T07:00:00.000Z');
    expect(week.end).toBe('2026-03-09T06:00:00.000Z');
    expect(week.weekNo).toBe('202610');
    expect(hoursBetween(week.start, week.end)).toBe(167);
  });
});

describe('WellSky date formats', () => {
  it('writes search dates as YYYYMMDD', () => {
    expect(toSearchDate('2026-01-29')).toBe('20260129');
    expect(toSearchDate('20260129')).toBe('20260129');
    expect(() => toSearchDate('29/01/2026')).toThrow(/YYYY-MM-DD/);
  });

  it('writes ISO weeks as YYYYWW using the ISO week-year', () => {
    expect(isoWeekNo('2026-01-01')).toBe('202601');
    expect(isoWeekNo('2027-01-01')).toBe('202653');
    expect(isoWeekNo('2024-12-30')).toBe('202501');
  });

  it('writes months as YYYYMM', () => {
    expect(monthNo('2026-02-06')).toBe('202602');
  });

  it('adds calendar days without drifting over a change', () => {
    expect(addLocalDays('2026-03-07', 1)).toBe('2026-03-08');
    expect(addLocalDays('2026-03-08', -8)).toBe('2026-02-28');
  });

  it('reads shift times as UTC whether they say +00:00, Z or nothing', () => {
    expect(parseUtcDateTime('2026-01-29T14:00:00+00:00')).toBe('2026-01-29T14:00:00.000Z');
    expect(parseUtcDateTime('2026-01-29T14:00:00Z')).toBe('2026-01-29T14:00:00.000Z');
    expect(parseUtcDateTime('2026-01-29T14:00:00')).toBe('2026-01-29T14:00:00.000Z');
    expect(parseUtcDateTime('2026-01-29T07:00:00-07:00')).toBe('2026-01-29T14:00:00.000Z');
    expect(parseUtcDateTime('2026-01-29 14:00:00')).toBe('2026-01-29T14:00:00.000Z');
    expect(parseUtcDateTime('not a time')).toBeUndefined();
    expect(parseUtcDateTime(null)).toBeUndefined();
  });

  it('tells overlapping shifts from back-to-back ones', () => {
    const a = { start: '2026-01-29T14:00:00Z', end: '2026-01-29T18:00:00Z' };
    expect(overlaps(a, { start: '2026-01-29T17:00:00Z', end: '2026-01-29T20:00:00Z' })).toBe(true);
    expect(overlaps(a, { start: '2026-01-29T18:00:00Z', end: '2026-01-29T20:00:00Z' })).toBe(false);
  });
});
