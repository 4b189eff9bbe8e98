/**
 * Which of today's visits a "where is my caregiver?" caller is asking about, and where it stands.
 */
import { visitInQuestion, type TodaysVisit } from '../../flows/where-is-caregiver.machine';

const morning: TodaysVisit = { shiftId: 'm', start: '2026-03-04T15:00:00Z', end: '2026-03-04T19:00:00Z', caregiverId: 'rosa', caregiverFirstName: 'Rosa' };
const afternoon: TodaysVisit = { shiftId: 'a', start: '2026-03-04T20:00:00Z', end: '2026-03-05T00:00:00Z', caregiverId: 'tanya', caregiverFirstName: 'Tanya' };

describe('visitInQuestion', () => {
  it('finds no visit on a day without shifts', () => {
    expect(visitInQuestion([], '2026-03-04T17:00:00Z')).toEqual({ visit: null, state: 'noVisit' });
  });

  it('takes the visit under way, clocked in', () => {
    const v = { ...morning, clockedInAt: '2026-03-04T15:02:00Z' };
    expect(visitInQuestion([afternoon, v], '2026-03-04T17:00:00Z')).toEqual({ visit: v, state: 'clockedIn' });
  });

  it('calls a visit whose start has passed without a clock-in late', () => {
    expect(visitInQuestion([morning, afternoon], '2026-03-04T20:20:00Z').state).toBe('late');
    expect(visitInQuestion([morning, afternoon], '2026-03-04T20:20:00Z').visit?.shiftId).toBe('a');
  });

  it('says the next visit has not started when none is under way', () => {
    expect(visitInQuestion([afternoon], '2026-03-04T17:00:00Z')).toEqual({ visit: afternoon, state: 'notStarted' });
  });

  it('puts an unassigned visit under way before a clocked-in one (a two-person visit)', () => {
    const open: TodaysVisit = { ...morning, shiftId: 'o', caregiverId: undefined, caregiverFirstName: undefined };
    const v = { ...morning, clockedInAt: '2026-03-04T15:02:00Z' };
    expect(visitInQuestion([v, open], '2026-03-04T17:00:00Z')).toEqual({ visit: open, state: 'unassigned' });
  });

  it('reports the last visit as over once it was clocked out and nothing else is due', () => {
    const done = { ...morning, clockedInAt: '2026-03-04T15:00:00Z', clockedOutAt: '2026-03-04T19:00:00Z' };
    expect(visitInQuestion([done], '2026-03-04T21:00:00Z')).toEqual({ visit: done, state: 'over' });
  });
});
