import { yesNo, parseClaim } from '../../flows/understand';

describe('yesNo', () => {
  it.each<[string, 'yes' | 'no' | undefined]>([
    ['Yes.', 'yes'],
    ['yes', 'yes'],
    ['YES!', 'yes'],
    ['Yeah.', 'yes'],
    ['Yep', 'yes'],
    ['Correct.', 'yes'],
    ["That's right.", 'yes'],
    ['Sure, go ahead', 'yes'],
    ['Okay.', 'yes'],
    ['Yes, no problem', 'yes'],
    ['Yes please', 'yes'],
    ['Uh huh', 'yes'],
    ['Sí.', 'yes'],
    ['Claro', 'yes'],
    ['Claro que sí', 'yes'],
    ['Así es', 'yes'],
    ['Está bien', 'yes'],
    ['1', 'yes'],
    ['No.', 'no'],
    ['no', 'no'],
    ['Nope.', 'no'],
    ['Not really.', 'no'],
    ["No, that's wrong.", 'no'],
    ['No, thank you.', 'no'],
    ["That's not right", 'no'],
    ["I don't think so", 'no'],
    ['Not okay', 'no'],
    ['No, gracias', 'no'],
    ['Para nada', 'no'],
    ['2', 'no'],
    ["I don't know", undefined],
    ['No sé', undefined],
    ['Yeah, no', undefined],
    ['Maybe', undefined],
    ['purple', undefined],
    ['I need someone right now', undefined],
    ['Her breathing is fine', undefined],
    ['', undefined],
    ['5', undefined],
  ])('%j → %s', (text, expected) => {
    expect(yesNo(text)).toBe(expected);
  });
});

describe('parseClaim: replies to a shift offer', () => {
  it.each([
    ['YES 4821', { code: '4821', bare: false, decline: false }],
    ['yes 4821', { code: '4821', bare: false, decline: false }],
    ['Yes, 4821', { code: '4821', bare: false, decline: false }],
    ['Yes 4821.', { code: '4821', bare: false, decline: false }],
    ['sí 4821', { code: '4821', bare: false, decline: false }],
    ['Si 4821', { code: '4821', bare: false, decline: false }],
    ['YES4821', { code: '4821', bare: false, decline: false }],
    ['Yes 48 21', { code: '4821', bare: false, decline: false }],
    ['yes four eight two one', { code: '4821', bare: false, decline: false }],
    ['4821', { code: '4821', bare: false, decline: false }],
    ["Yes I'll take it 4821", { code: '4821', bare: false, decline: false }],
    ['YES', { bare: true, decline: false }],
    ['yes!', { bare: true, decline: false }],
    ['Sí', { bare: true, decline: false }],
    ['Y', { bare: true, decline: false }],
    ["I'll take it", { bare: true, decline: false }],
    ['NO', { bare: false, decline: true }],
    ['no 4821', { code: '4821', bare: false, decline: true }],
    ["can't", { bare: false, decline: true }],
    ['cannot', { bare: false, decline: true }],
    ['Pass', { bare: false, decline: true }],
    ['No puedo', { bare: false, decline: true }],
    ['No gracias', { bare: false, decline: true }],
    ["Sorry I can't 4821", { code: '4821', bare: false, decline: true }],
  ])('%j → %j', (text, expected) => {
    expect(parseClaim(text)).toEqual(expected);
  });

  it.each(['STOP', 'HELP', 'hello?', '', 'call me'])('%j is not a reply to an offer', (text) => {
    expect(parseClaim(text)).toBeUndefined();
  });
});
