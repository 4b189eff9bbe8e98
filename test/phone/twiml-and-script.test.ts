import { parseCallerLine, parseScript, ScriptError } from '../../scripts/phone/caller';
import { parseTwiml, TwimlError } from '../../scripts/phone/twiml';

describe('reading TwiML', () => {
  it('reads a Gather with its prompts and settings', () => {
    const [gather] = parseTwiml(
      '<?xml version="1.0"?><Response><Gather input="speech dtmf" action="/t?c=1&amp;t=2" language="es-US" numDigits="1" actionOnEmptyResult="true">' +
        '<Say language="es-US">Diga algo</Say></Gather></Response>',
    );
    expect(gather).toMatchObject({
      verb: 'Gather',
      action: '/t?c=1&t=2',
      language: 'es-US',
      numDigits: 1,
      actionOnEmptyResult: true,
      input: { speech: true, dtmf: true },
      prompts: [{ verb: 'Say', text: 'Diga algo', language: 'es-US' }],
    });
  });

  it('reads a Dial to a Number element or to a plain number', () => {
    const [nested, plain] = parseTwiml('<Response><Dial action="/d"><Number>+13035550105</Number></Dial><Dial>+13035550101</Dial></Response>');
    expect(nested).toMatchObject({ verb: 'Dial', action: '/d', targets: [{ kind: 'number', value: '+13035550105' }] });
    expect(plain).toMatchObject({ verb: 'Dial', targets: [{ kind: 'number', value: '+13035550101' }] });
  });

  it('keeps the words of a Say that uses SSML tags', () => {
    const [say] = parseTwiml('<Response><Say>Your code is <say-as interpret-as="digits">4821</say-as>.</Say></Response>');
    expect(say).toMatchObject({ verb: 'Say', text: 'Your code is 4821.' });
  });

  it.each([
    ['', /empty/],
    ['<Response><Say>Hi</Response>', /not well-formed/],
    ['<Reply><Say>Hi</Say></Reply>', /root element must be <Response>/],
    ['<Response><Speak>Hi</Speak></Response>', /<Speak> is not a TwiML verb/],
    ['<Response><Gather><Dial>+1</Dial></Gather></Response>', /<Gather> may only contain/],
  ])('rejects %j', (xml, message) => {
    expect(() => parseTwiml(xml)).toThrow(TwimlError);
    expect(() => parseTwiml(xml)).toThrow(message);
  });
});

describe('reading a caller script', () => {
  it('understands speech, key presses, silence, hang-up and dial outcomes, skipping comments', () => {
    expect(parseScript(['# a caregiver calls out', 'say: I am sick', 'press: 1 2', '2#', 'silence', 'dial: no-answer', 'hangup', 'not sick, just late'])).toEqual([
      { kind: 'speech', text: 'I am sick' },
      { kind: 'digits', digits: '12' },
      { kind: 'digits', digits: '2#' },
      { kind: 'silence' },
      { kind: 'dial', outcome: 'no-answer' },
      { kind: 'hangup' },
      { kind: 'speech', text: 'not sick, just late' },
    ]);
  });

  it('says which line is wrong', () => {
    expect(() => parseScript(['yes', 'dial: maybe'], 'callout.txt')).toThrow(ScriptError);
    expect(() => parseScript(['yes', 'dial: maybe'], 'callout.txt')).toThrow(/callout.txt:2/);
    expect(() => parseCallerLine('press: one')).toThrow(/only digits/);
  });
});
