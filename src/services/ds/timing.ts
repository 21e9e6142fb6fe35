/**
 * How long Directory Service's asynchronous states take. AWS takes minutes: a Simple AD
 * about 5-10 minutes to become Active, a Managed Microsoft AD 20-45 minutes, a deletion
 * a few minutes; enabling Directory Service Data a few minutes (the console shows
 * "Enabling"). Gatehouse settles quickly by default so tests stay fast;
 * `setDirectoryServiceTiming(REALISTIC_DS_TIMING)` uses AWS-like delays.
 *
 * Stages are computed when read, from when the state began and the delays in force then:
 * changing the delays moves every directory's stage accordingly.
 */
export interface DirectoryServiceTiming {
  /** `Creating` → `Active`. */
  readonly create: number;
  /** How long a deleted directory stays listed as `Deleting`. */
  readonly delete: number;
  /** `Enabling` → `Enabled` and `Disabling` → `Disabled` (Directory Service Data). */
  readonly dataAccess: number;
}

export const FAST_DS_TIMING: DirectoryServiceTiming = { create: 100, delete: 100, dataAccess: 100 };

const MINUTE = 60_000;

/** Delays of the order AWS shows (a choice within the ranges AWS's guides give). */
export const REALISTIC_DS_TIMING: DirectoryServiceTiming = { create: 20 * MINUTE, delete: 5 * MINUTE, dataAccess: 2 * MINUTE };

let timing: DirectoryServiceTiming = FAST_DS_TIMING;

/** Change the delays; returns the previous ones (tests restore them). */
export function setDirectoryServiceTiming(t: Partial<DirectoryServiceTiming>): DirectoryServiceTiming {
  const before = timing;
  timing = { ...timing, ...t };
  return before;
}

/** Whether a state that began at `since` (ISO time) has settled by `now`. */
export function settled(what: keyof DirectoryServiceTiming, since: string, now: Date): boolean {
  return now.getTime() - Date.parse(since) >= timing[what];
}

/** When a state that began at `since` settles. */
export function settlesAt(what: keyof DirectoryServiceTiming, since: string): Date {
  return new Date(Date.parse(since) + timing[what]);
}
