import { parseRelationship, relationshipOfCallerTo, parsePayer, parseZipOrCity } from '../../flows/understand';

describe('parseRelationship: who needs care, relative to the caller', () => {
  it.each<[string, string | undefined]>([
    ['my mother', 'MTH'],
    ['Mom', 'MTH'],
    ['For my mom', 'MTH'],
    ['My dad', 'FTH'],
    ['my husband', 'SPS'],
    ['my grandmother', 'GRMTH'],
    ['My mother-in-law', 'MTHINLAW'],
    ["I'm her daughter", 'PRN'],
    ['myself', 'SELF'],
    ['Mi mamá', 'MTH'],
    ['para mi papá', 'FTH'],
    ['mi esposo', 'SPS'],
    ['Soy su hija', 'PRN'],
    ["I'm a discharge planner at Swedish", undefined],
    ['Denver', undefined],
  ])('%j → %s', (text, code) => {
    expect(parseRelationship(text)).toBe(code);
  });
});

describe('relationshipOfCallerTo: the caller, relative to the person needing care', () => {
  it.each<[string, string | undefined]>([
    ['It is for my mother', 'CHILD'],
    ['I need care for my dad', 'CHILD'],
    ["I'm her daughter", 'DAU'],
    ["I'm his son", 'SON'],
    ['son', 'SON'],
    ['daughter', 'DAU'],
    ['My wife needs help', 'SPS'],
    ["I'm her husband", 'SPS'],
    ['spouse', 'SPS'],
    ['her daughter', 'DAU'],
    ["I'm a friend", 'FRND'],
    ['a friend of the family', 'FRND'],
    ['My grandmother', 'GRNDCHILD'],
    ['my son', 'PRN'],
    ["I'm the discharge planner", 'PROF'],
    ['I am a social worker at the hospital', 'PROF'],
    ['case manager', 'PROF'],
    ["I'm a nurse at the rehab center", 'PROF'],
    ['myself', 'SELF'],
    ['It is for me', 'SELF'],
    ['mi mamá', 'CHILD'],
    ['soy su hija', 'DAU'],
    ['soy el hijo', 'SON'],
    ['para mí', 'SELF'],
    ['soy trabajadora social', 'PROF'],
    ['My mom is in the hospital', 'CHILD'],
    ['Denver', undefined],
  ])('%j → %s', (text, code) => {
    expect(relationshipOfCallerTo(text)).toBe(code);
  });
});

describe('parsePayer', () => {
  it.each<[string, ReturnType<typeof parsePayer>]>([
    ['Private pay', 'private'],
    ["We'll pay out of pocket", 'private'],
    ['Long-term care insurance', 'ltc_insurance'],
    ['She has LTC insurance', 'ltc_insurance'],
    ['Through the VA', 'va'],
    ["He's a veteran", 'va'],
    ['Aid and attendance', 'va'],
    ['Medicaid', 'medicaid'],
    ['Health First Colorado', 'medicaid'],
    ['Medicare', 'unknown'],
    ["I don't know", 'unknown'],
    ['Pago privado', 'private'],
    ['Mi hijo va a pagar', 'private'],
    ['Veteranos', 'va'],
    ['No sé', 'unknown'],
    ['purple', undefined],
  ])('%j → %s', (text, payer) => {
    expect(parsePayer(text)).toBe(payer);
  });
});

describe('parseZipOrCity', () => {
  const cities = ['Denver', 'Aurora', 'Castle Rock', 'Colorado Springs', 'Lakewood'];
  it.each<[string, string[] | undefined, ReturnType<typeof parseZipOrCity>]>([
    ['80212', undefined, { zip: '80212' }],
    ['My zip is 80212', undefined, { zip: '80212' }],
    ['eight oh two one two', undefined, { zip: '80212' }],
    ['8 0 2 1 2', undefined, { zip: '80212' }],
    ['80212-1234', undefined, { zip: '80212' }],
    ['the zip is 80214, 80214, Lakewood', cities, { zip: '80214', city: 'Lakewood' }],
    ['Aurora', cities, { city: 'Aurora' }],
    ['We live in Castle Rock', cities, { city: 'Castle Rock' }],
    ['colorado springs', cities, { city: 'Colorado Springs' }],
    ['Lakewod', cities, { city: 'Lakewood' }],
    ['Denver, 80212', cities, { zip: '80212', city: 'Denver' }],
    ['We live in Parker, Colorado', cities, { city: 'Parker' }],
    ['Golden', undefined, { city: 'Golden' }],
    ['Cañon City', undefined, { city: 'Canon City' }],
    ['Englewood Colorado 80110', undefined, { zip: '80110', city: 'Englewood' }],
    ['In Castle Rock, Colorado', undefined, { city: 'Castle Rock' }],
    ['Vivo en Aurora', cities, { city: 'Aurora' }],
    ['skip', undefined, undefined],
    ['', undefined, undefined],
  ])('%j → %j', (text, known, expected) => {
    expect(parseZipOrCity(text, known)).toEqual(expected);
  });
});
