import { describeOfficeHours, isOfficeOpen } from '../src/office-hours';
import { loadAgencyConfig } from '../src/config';

const agency = loadAgencyConfig();
const at = (iso: string) => new Date(iso);

describe('office hours in the agency time zone', () => {
  it('is open at 9 AM Denver time on a weekday and closed at 6 PM', () => {
    expect(isOfficeOpen(agency, at('2026-12-01T16:00:00Z'))).toBe(true); // Tue 09:00 MST
    expect(isOfficeOpen(agency, at('2026-12-02T01:00:00Z'))).toBe(false); // Tue 18:00 MST
  });

  it('is closed on Saturday', () => {
    expect(isOfficeOpen(agency, at('2026-12-05T17:00:00Z'))).toBe(false);
  });

  it('follows daylight saving time: 8 AM local is 14:00 UTC in summer', () => {
    expect(isOfficeOpen(agency, at('2026-07-07T14:05:00Z'))).toBe(true);
    expect(isOfficeOpen(agency, at('2026-07-07T13:55:00Z'))).toBe(false);
  });

  it('handles all-day and overnight ranges', () => {
    const overnight = { ...agency, officeHours: { ...agency.officeHours, fri: '20:00-06:00', sat: null } };
    expect(isOfficeOpen(overnight, at('2026-12-05T11:00:00Z'))).toBe(true); // Sat 04:00 MST, from Friday night
    expect(isOfficeOpen(overnight, at('2026-12-05T14:00:00Z'))).toBe(false); // Sat 07:00
    const allDay = { ...agency, officeHours: { ...agency.officeHours, sun: '00:00-24:00' } };
    expect(isOfficeOpen(allDay, at('2026-12-06T10:00:00Z'))).toBe(true);
  });

  it('describes the hours to a caller in English and Spanish', () => {
    expect(describeOfficeHours(agency, 'en')).toBe('Monday to Friday, 8 AM to 5 PM');
    expect(describeOfficeHours(agency, 'es')).toBe('lunes a viernes, de 8 a 17');
  });
});
