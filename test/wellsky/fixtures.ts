/** WellSky resources as the API sends them (wellsky-api.md), for unit tests. */
export const practitioner = (over: Record<string, unknown> = {}) => ({
  resourceType: 'Practitioner',
  id: '3456789',
  active: true,
  name: [{ use: 'official', family: 'Lopez', given: ['Maria', 'Elena'] }],
  telecom: [
    { system: 'email', value: 'maria@example.com' },
    { system: 'phone', value: '7205550111', use: 'home' },
    { system: 'phone', value: '3035551234', use: 'mobile' },
  ],
  address: [{ use: 'home', line: ['123 Main St'], city: 'Denver', state: 'CO', postalCode: '80202' }],
  gender: 'female',
  communication: [{ coding: [{ code: 'es', display: 'Spanish' }] }, { coding: [{ code: 'en', display: 'English' }] }],
  meta: {
    tag: [
      { code: 'isHired', display: 'true' },
      { code: 'status', display: '100' },
      { code: 'profileTags', display: '45,67' },
      { code: 'agencyId', display: '1669' },
    ],
  },
  ...over,
});

export const patient = (over: Record<string, unknown> = {}) => ({
  resourceType: 'Patient',
  id: '2870130',
  active: true,
  name: [{ use: 'official', family: 'Smith', given: ['Robert'] }],
  telecom: [{ system: 'phone', value: '3035550142', use: 'home' }],
  address: [{ use: 'home', line: ['9 Elm St'], city: 'Aurora', state: 'CO', postalCode: '80010' }],
  meta: { tag: [{ code: 'isClient', display: 'true' }, { code: 'status', display: 'None' }, { code: 'agencyId', display: '1669' }] },
  ...over,
});

export const appointment = (over: Record<string, unknown> = {}) => ({
  resourceType: 'Appointment',
  id: '109131818',
  status: 'SCHEDULED',
  caregiver: { id: '3306118' },
  client: { id: '2870130' },
  start: '2026-01-29T14:00:00+00:00',
  end: '2026-01-29T18:00:00+00:00',
  position: { latitude: 39.7392, longitude: -104.9903 },
  scheduledItems: [{ id: '12345', name: 'Meal Preparation' }],
  tasks: [{ id: '67890', description: 'Assist with breakfast', status: 'NOT_COMPLETE' }],
  ...over,
});
