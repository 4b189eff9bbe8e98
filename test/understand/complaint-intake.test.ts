import { understand } from '../../flows/understand';
import { describesWhatHappened, gist, triageComplaint, wantsToRecord } from '../../flows/understand/complaint';
import { parsePersonName, parsePhone } from '../../flows/understand/intake';

describe('complaint triage', () => {
  it.each([
    ['The caregiver left two hours early yesterday', 'leftEarly'],
    ["She didn't show up this morning", 'noShow'],
    ['Nobody came on Monday', 'noShow'],
    ['I think she stole money from my mother', 'theft'],
    ['He yelled at my dad and called him names', 'abuse'],
    ['My mom has a bruise on her arm since the visit', 'injury'],
    ['She was left alone all afternoon in a soiled diaper', 'neglect'],
    ["If this happens again we're going to cancel the service", 'cancelService'],
    ['No vino nadie hoy', 'noShow'],
    // Other words between "left" and "early" (issue 8): the lexicons' urgent cues see it.
    ['The caregiver left my mother alone two hours early yesterday', 'leftEarly'],
    ['she just left, she left my mother alone, like two hours early', 'neglect'],
  ])('"%s" is urgent (%s)', (text, reason) => {
    expect(triageComplaint(text)).toEqual({ severity: 'urgent', reason });
  });

  it('treats a fall or chest pain as an emergency, and a messy kitchen as a normal case', () => {
    expect(triageComplaint('My father fell and he is not breathing well').severity).toBe('emergency');
    expect(triageComplaint('The kitchen was left messy and the laundry was not done')).toEqual({ severity: 'normal' });
  });

  it('hears "left two hours early" as a complaint, not a question about office hours', () => {
    expect(understand('The caregiver left two hours early yesterday').intent).toBe('complaint');
  });

  it('tells "I have a complaint" apart from a complaint that says what happened', () => {
    expect(describesWhatHappened('I want to make a complaint')).toBe(false);
    expect(describesWhatHappened('I have a complaint about the caregiver')).toBe(false);
    expect(describesWhatHappened('The caregiver was on her phone the whole visit again')).toBe(true);
  });

  it('reads back a long complaint in short', () => {
    expect(gist('one two three four five', 3)).toBe('one two three…');
    expect(gist('She was late.')).toBe('She was late');
  });

  it('hears a wish to leave a recorded message', () => {
    expect(wantsToRecord("I'd rather leave a message")).toBe(true);
    expect(wantsToRecord('She was late')).toBe(false);
  });
});

describe('intake names and phones', () => {
  it.each([
    ['My name is Susan Park', 'Susan Park'],
    ["This is susan, I'm calling for my mother", 'Susan'],
    ['Ruth Park', 'Ruth Park'],
    ['Her name is Ruth', 'Ruth'],
    ['Me llamo Rosa Díaz', 'Rosa Diaz'],
    // rambling: intros passed over, a name said again in full kept
    ["Oh, my name, sure, it's Susan, Susan Park, P A R K, Park, like a park", 'Susan Park'],
    ["Her name, my mom's name, is Ruth, Ruth Park, same last name, Park", 'Ruth Park'],
    ['Um, Susan', 'Susan'],
  ])('"%s" → %s', (text, name) => {
    expect(parsePersonName(text)).toBe(name);
  });

  it('finds no name in an answer without one', () => {
    expect(parsePersonName('myself')).toBeUndefined();
    expect(parsePersonName("No, I'd rather not say, sorry")).toBeUndefined();
    expect(parsePersonName('')).toBeUndefined();
  });

  it('reads a US phone number', () => {
    expect(parsePhone('303 555 0177')).toBe('+13035550177');
    expect(parsePhone('call me')).toBeUndefined();
  });
});
