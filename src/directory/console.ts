/** The ops console's one question to the directory: whose name matches, and their phones. */
import type { Db } from '../db';

export interface PersonMatch {
  kind: string;
  personId: string;
  name: string;
  phones: string[];
}

export async function findPeopleByName(db: Db, query: string, limit = 20): Promise<PersonMatch[]> {
  const q = query.trim().toLowerCase();
  if (q.length < 2) return [];
  const { rows } = await db.query<{ kind: string; person_id: string; first_name: string; last_name: string; phone: string }>(
    `SELECT kind, person_id, first_name, last_name, phone FROM directory_entries
     WHERE active AND lower(first_name || ' ' || last_name) LIKE '%' || $1 || '%' ORDER BY last_name, first_name LIMIT 200`,
    [q],
  );
  const people = new Map<string, PersonMatch>();
  for (const r of rows) {
    const key = `${r.kind}:${r.person_id}`;
    const p = people.get(key) ?? { kind: r.kind, personId: r.person_id, name: `${r.first_name} ${r.last_name}`.trim(), phones: [] };
    if (r.phone && !p.phones.includes(r.phone)) p.phones.push(r.phone);
    people.set(key, p);
  }
  return [...people.values()].slice(0, limit);
}
