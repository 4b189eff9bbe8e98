/**
 * Time as a dependency. Everything that schedules, leases or stamps a row asks a `Clock`, so tests
 * move time forward instead of sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {
  now: () => new Date(),
};

/** A clock that only moves when told to. Starts at `start` (default: the real time at creation). */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: Date | string | number = Date.now()) {
    this.current = new Date(start).getTime();
    if (Number.isNaN(this.current)) throw new Error(`FakeClock: invalid start time ${String(start)}`);
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): Date {
    this.current += ms;
    return this.now();
  }

  set(date: Date | string | number): Date {
    const next = new Date(date).getTime();
    if (Number.isNaN(next)) throw new Error(`FakeClock.set: invalid time ${String(date)}`);
    this.current = next;
    return this.now();
  }
}
