import { isValidUsPhone, toE164, toWellSkyPhone, tryWellSkyPhone } from '../src/phone';

describe('phone numbers', () => {
  it.each([
    ['3035551234', '+13035551234'],
    ['303-555-1234', '+13035551234'],
    ['(303) 555-1234', '+13035551234'],
    ['13035551234', '+13035551234'],
    ['+1 303 555 1234', '+13035551234'],
    ['303.555.1234 x12', '+13035551234'],
    [3035551234, '+13035551234'],
  ])('reads %p as %s', (input, e164) => {
    expect(toE164(input)).toBe(e164);
  });

  it.each([[''], ['12345'], ['1235551234'], [null], [undefined], [{}], ['not a phone']])('refuses %p', (input) => {
    expect(toE164(input)).toBeUndefined();
    expect(isValidUsPhone(input)).toBe(false);
  });

  it('keeps valid numbers of other countries in E.164 but does not call them US', () => {
    expect(toE164('+442071234567')).toBe('+442071234567');
    expect(isValidUsPhone('+442071234567')).toBe(false);
    expect(isValidUsPhone('+14165551234')).toBe(false); // Toronto: NANP, not US
  });

  it('writes WellSky phones as exactly 10 digits', () => {
    expect(toWellSkyPhone('+13035551234')).toBe('3035551234');
    expect(toWellSkyPhone('(720) 555-0199')).toBe('7205550199');
    expect(toWellSkyPhone('+13035551234')).toMatch(/^[2-9]\d{9}$/);
  });

  it('refuses to write a number WellSky would reject, without echoing it whole', () => {
    expect(() => toWellSkyPhone('+442071234567')).toThrow(/ending 4567/);
    expect(() => toWellSkyPhone('+442071234567')).not.toThrow(/2071234567/);
    expect(tryWellSkyPhone('garbage')).toBeUndefined();
    expect(tryWellSkyPhone('+13035551234')).toBe('3035551234');
  });
});
