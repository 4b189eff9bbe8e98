/**
 * Made-up people and places for the synthetic agency. Names are common first and last names
 * combined at random; phones are drawn only from the 555-01xx range, which the North American
 * numbering plan reserves for fiction.
 */

export const FEMALE_FIRST = [
  'Ana', 'Beth', 'Carla', 'Denise', 'Erin', 'Fatima', 'Grace', 'Hannah', 'Irene', 'Jasmine', 'Kara', 'Lena',
  'Monica', 'Nadia', 'Olivia', 'Paula', 'Renee', 'Sara', 'Tessa', 'Vanessa', 'Wendy', 'Yolanda', 'Zoe', 'Alicia',
  'Brenda', 'Chloe', 'Diana', 'Elena', 'Gabriela', 'Leticia', 'Marisol', 'Lucia', 'Thuy', 'Mai', 'Svetlana', 'Joy',
];
export const MALE_FIRST = [
  'Aaron', 'Brian', 'Carlos', 'David', 'Eric', 'Felipe', 'George', 'Hector', 'Isaac', 'Jamal', 'Kyle', 'Louis',
  'Marco', 'Nathan', 'Oscar', 'Peter', 'Raul', 'Samuel', 'Tomas', 'Victor', 'Walter', 'Dmitri', 'Minh', 'Andre',
];
export const LAST = [
  'Adams', 'Baker', 'Carter', 'Dawson', 'Ellis', 'Foster', 'Gibson', 'Harper', 'Irwin', 'Jacobs', 'Keller', 'Lambert',
  'Mason', 'Norris', 'Owens', 'Porter', 'Quinn', 'Reyes', 'Sutton', 'Turner', 'Underwood', 'Vaughn', 'Walsh', 'Young',
  'Bishop', 'Coleman', 'Dunn', 'Fleming', 'Grant', 'Holland', 'Ingram', 'Jennings', 'Kramer', 'Lowe', 'Monroe', 'Nash',
  'Tran', 'Pham', 'Volkov', 'Okafor', 'Mensah', 'Yamada',
];
export const SPANISH_LAST = [
  'Alvarez', 'Castillo', 'Dominguez', 'Espinoza', 'Flores', 'Gutierrez', 'Jimenez', 'Medina', 'Navarro', 'Ortega',
  'Perez', 'Ramirez', 'Salazar', 'Torres', 'Vargas', 'Zamora',
];
export const STREETS = [
  'Maple St', 'Oak Ave', 'Elm St', 'Cedar Dr', 'Aspen Way', 'Pine St', 'Willow Ln', 'Birch Ct', 'Spruce Ave',
  'Juniper Rd', 'Columbine Dr', 'Sunset Blvd', 'Prairie Ln', 'Mesa Dr', 'Canyon Rd',
];

export interface City {
  name: string;
  zips: string[];
  latitude: number;
  longitude: number;
}

export const CITIES: City[] = [
  { name: 'Denver', zips: ['80202', '80203', '80205', '80206', '80209', '80210', '80218', '80220'], latitude: 39.7392, longitude: -104.9903 },
  { name: 'Aurora', zips: ['80010', '80011', '80012', '80013', '80014', '80015'], latitude: 39.7294, longitude: -104.8319 },
  { name: 'Lakewood', zips: ['80214', '80226', '80227', '80228', '80232'], latitude: 39.7047, longitude: -105.0814 },
  { name: 'Englewood', zips: ['80110', '80112', '80113'], latitude: 39.6478, longitude: -104.9878 },
  { name: 'Littleton', zips: ['80120', '80122', '80123', '80127'], latitude: 39.6133, longitude: -105.0166 },
  { name: 'Arvada', zips: ['80002', '80003', '80004', '80005'], latitude: 39.8028, longitude: -105.0875 },
];

export const PROFILE_TAGS = [
  { id: '41', name: 'Hoyer Lift', type: 'skill' },
  { id: '42', name: 'Dementia Care', type: 'condition' },
  { id: '43', name: 'Transfers', type: 'skill' },
  { id: '44', name: 'Bathing Assistance', type: 'skill' },
  { id: '45', name: 'Meal Preparation', type: 'skill' },
  { id: '46', name: 'Medication Reminders', type: 'skill' },
  { id: '47', name: 'Hospice Support', type: 'condition' },
  { id: '48', name: 'Pet Friendly', type: 'skill' },
  { id: '49', name: 'Non-Smoker', type: 'skill' },
  { id: '50', name: 'Has Car', type: 'skill' },
  { id: '51', name: 'CNA', type: 'certification' },
  { id: '52', name: 'HHA', type: 'certification' },
  { id: '53', name: 'CPR/First Aid', type: 'certification' },
  { id: '54', name: 'QMAP (Med Tech)', type: 'certification' },
  { id: '55', name: 'Spanish', type: 'language' },
  { id: '56', name: 'Vietnamese', type: 'language' },
  { id: '57', name: 'ASL', type: 'language' },
  { id: '58', name: "Parkinson's Disease", type: 'diagnosis' },
];
export const SKILL_TAGS = ['41', '42', '43', '44', '45', '46', '47', '48', '49', '50'];

export const REFERRAL_SOURCES = [
  { id: '1', name: 'Hospital discharge planner' },
  { id: '2', name: 'Agency website' },
  { id: '3', name: 'Family or friend' },
  { id: '4', name: 'Physician' },
  { id: '5', name: 'Area Agency on Aging' },
  { id: '6', name: 'Online search' },
];

export const SCHEDULED_ITEMS = ['Meal Preparation', 'Bathing', 'Companionship', 'Light Housekeeping', 'Medication Reminder', 'Transfers', 'Errands'];

export const RELATIONSHIPS: Record<string, string> = {
  SON: 'Son', DAU: 'Daughter', SPS: 'Spouse', SIS: 'Sister', BRO: 'Brother', FRND: 'Friend', NIECE: 'Niece',
};

/** Numbers that belong to the example agency (its line and its staff): never given to anyone. */
export const RESERVED_PHONES = new Set(['3035550100', '3035550101', '3035550105']);

/** Area codes for 555-01xx numbers: Colorado's first, then others once those run out. */
export const AREA_CODES = ['303', '720', '970', '719', '983', '505', '575', '307', '801', '385', '435', '402', '308', '785', '620', '316'];
