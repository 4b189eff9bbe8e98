import winston from 'winston';
import Transport from 'winston-transport';
import { log, maskPhone, moduleLog, scrub, withRequestId } from '../src/log';

class Capture extends Transport {
  lines: Record<string, unknown>[] = [];
  override log(info: Record<string, unknown>, next: () => void): void {
    this.lines.push({ ...info });
    next();
  }
}

describe('logging without personal data', () => {
  const capture = new Capture();
  beforeAll(() => {
    log.add(capture);
    log.level = 'debug';
  });
  afterAll(() => {
    log.remove(capture);
  });
  beforeEach(() => {
    capture.lines = [];
  });

  it('masks phone numbers to their last four digits', () => {
    expect(maskPhone('+13035551234')).toBe('***1234');
    expect(scrub('call from +13035551234 and (720) 555-0199')).toBe('call from ***1234 and ***0199');
  });

  it('a log line built from a webhook carries neither the caller number, their name, nor the message', () => {
    const webhook = { From: '+13035551234', To: '+13035550100', Body: 'My mother Dorothy Smith fell', CallerName: 'SMITH JOHN', MessageSid: 'SM123' };
    withRequestId('req-42', () => log.info(`text from ${webhook.From}`, { ...webhook, name: 'John Smith' }));
    const line = JSON.stringify(capture.lines[0]);
    expect(line).not.toContain('3035551234');
    expect(line).not.toContain('Dorothy');
    expect(line).not.toContain('fell');
    expect(line).not.toContain('SMITH');
    expect(line).not.toContain('John');
    expect(line).toContain('***1234');
    expect(line).toContain('SM123');
    expect(capture.lines[0].requestId).toBe('req-42');
  });

  it('keeps ids, dates and counts readable', () => {
    log.info('sync done', { caregivers: 36, since: '2026-01-29T14:00:00Z', shiftId: '109131818' });
    const line = capture.lines[0];
    expect(line.caregivers).toBe(36);
    expect(line.since).toBe('2026-01-29T14:00:00Z');
    expect(line.shiftId).toBe('109131818');
  });
});
describe('lines below the level', () => {
  const capture = new Capture();
  let level: string;
  beforeAll(() => {
    level = log.level;
    log.add(capture);
  });
  afterAll(() => {
    log.remove(capture);
    log.level = level;
  });

  it('are not formatted at all, from the root logger or a module logger, and are written again once the level allows', () => {
    log.level = 'warn';
    const mod = moduleLog('test.quiet');
    // A meta object whose scrubbing would throw: building the line at all would show.
    const poisoned = { get detail(): string { throw new Error('formatted a line below the level'); } };
    expect(() => mod.info('below the level', poisoned)).not.toThrow();
    expect(() => log.debug('below the level', poisoned)).not.toThrow();
    expect(capture.lines).toHaveLength(0);
    mod.warn('at the level', { n: 1 });
    log.level = 'info';
    mod.info('now at the level', { n: 2 });
    expect(capture.lines.map((l) => [l.message, l.module, l.n])).toEqual([
      ['at the level', 'test.quiet', 1],
      ['now at the level', 'test.quiet', 2],
    ]);
  });
});
void winston;
