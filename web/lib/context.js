/**
 * What every page needs, given once by the app shell: the language and its words and formats,
 * the workspace (brand time zone, stages, touchpoints, brands) and the signed-in user.
 */
import { createContext, useContext } from './preact.js';

export const AppContext = createContext(null);

export const useApp = () => useContext(AppContext);

const ROLE_ORDER = ['viewer', 'manager', 'admin'];

/** Whether `role` includes `needed` (admin ⊇ manager ⊇ viewer), as the API decides. */
export function roleIncludes(role, needed) {
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed);
}

/** Names of stages and touchpoints in the chosen language, from the workspace. */
export function labelsOf(workspace, lang) {
  const touchpoints = new Map((workspace?.touchpoints ?? []).map((tp) => [tp.id, tp]));
  const stages = new Map((workspace?.stages ?? []).map((s) => [s.id, s]));
  return {
    touchpoint: (id) => touchpoints.get(id)?.label?.[lang] ?? id,
    stage: (id) => stages.get(id)?.label?.[lang] ?? id,
  };
}
