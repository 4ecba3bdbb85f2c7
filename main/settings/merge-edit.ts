import type { IdpProfile, Settings } from './schema.js';

/**
 * A whole-settings edit (the Settings window submits every field) merged onto the file as it is now: only
 * what the user changed since `base`, the settings the window was showing, is applied; everything else keeps
 * what others saved meanwhile (a role chosen in the CLI, a profile a terminal added). Maps merge per entry
 * and profiles per id, so two people's different additions both stay. The role choices belong to the
 * sessions, not to the window: they are always the file's, less those of profiles the edit removed.
 */
const SESSION_OWNED = ['lastRoleArnByProfile', 'keptActiveRoleArnsByProfile'] as const;

export function mergeSettingsEdit(base: Settings, edited: Settings, latest: Settings): Settings {
  const merged = structuredClone(latest);
  const target = merged as unknown as Record<string, unknown>;
  const was = base as unknown as Record<string, unknown>;
  const now = edited as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    if (key === 'idpProfiles' || (SESSION_OWNED as readonly string[]).includes(key)) continue;
    if (same(was[key], now[key])) continue;
    target[key] = isMap(was[key]) && isMap(now[key]) && isMap(target[key]) ? mergeMap(was[key], now[key], target[key]) : structuredClone(now[key]);
    if (target[key] === undefined) delete target[key];
  }
  merged.idpProfiles = mergeProfiles(base.idpProfiles, edited.idpProfiles, latest.idpProfiles);
  const removed = base.idpProfiles.filter((p) => !edited.idpProfiles.some((q) => q.id === p.id)).map((p) => p.id);
  for (const key of SESSION_OWNED) for (const id of removed) delete merged[key][id];
  return merged;
}

type PlainMap = Record<string, unknown>;

function isMap(value: unknown): value is PlainMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function mergeMap(base: PlainMap, edited: PlainMap, latest: PlainMap): PlainMap {
  const merged = structuredClone(latest);
  for (const key of new Set([...Object.keys(base), ...Object.keys(edited)])) {
    if (same(base[key], edited[key])) continue;
    if (key in edited) merged[key] = structuredClone(edited[key]);
    else delete merged[key];
  }
  return merged;
}

/** Profiles by id: the user's additions, removals and edits, in the user's order, then profiles others added. */
function mergeProfiles(base: IdpProfile[], edited: IdpProfile[], latest: IdpProfile[]): IdpProfile[] {
  const before = new Map(base.map((p) => [p.id, p]));
  const current = new Map(latest.map((p) => [p.id, p]));
  const result: IdpProfile[] = [];
  for (const profile of edited) {
    const original = before.get(profile.id);
    const theirs = current.get(profile.id);
    // Unchanged by the user: whatever the file has now (perhaps removed by someone else, then it stays removed).
    if (original && same(original, profile)) {
      if (theirs) result.push(structuredClone(theirs));
    } else {
      result.push(structuredClone(profile));
    }
  }
  const mentioned = new Set([...before.keys(), ...edited.map((p) => p.id)]);
  for (const profile of latest) if (!mentioned.has(profile.id)) result.push(structuredClone(profile));
  return result;
}
