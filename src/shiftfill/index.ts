export { createShiftFill, SHIFTFILL_JOBS, URGENT_MS, type ShiftFill, type ShiftFillDeps } from './campaigns';
export { createCalloutEffects } from './effects';
export { rankCandidates, checkAgainstWeek, compareCandidates, type Candidate } from './candidates';
