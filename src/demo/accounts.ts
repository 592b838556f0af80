/**
 * The demo's people: one account per role, with passwords generated for this run and printed,
 * so that whoever runs the demo signs in as a community manager, a marketer or an admin.
 */
import { makeUser } from '../access/provision.js';
import type { Role } from '../domain/vocabulary.js';
import type { AccessRepository } from '../store/access-repository.js';

const PEOPLE: { role: Role; email: string; name: string }[] = [
  { role: 'admin', email: 'admin@demo.maillon.local', name: 'Alex Admin' },
  { role: 'manager', email: 'claire@demo.maillon.local', name: 'Claire (community manager)' },
  { role: 'viewer', email: 'marc@demo.maillon.local', name: 'Marc (marketing)' },
];

export async function createDemoAccounts(
  access: AccessRepository,
): Promise<{ role: Role; email: string; password: string }[]> {
  const made = [];
  for (const p of PEOPLE) {
    const r = await makeUser(access, { ...p, createdBy: 'demo' });
    if (r?.password) made.push({ role: p.role, email: p.email, password: r.password });
  }
  return made;
}
