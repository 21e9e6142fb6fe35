/**
 * How long Client VPN's asynchronous states take to settle. AWS takes minutes: an
 * association often more than ten, a route about ninety seconds, and it keeps listing a
 * deleted endpoint or a disassociated network for a while (clientvpn.md §4.2). Gatehouse
 * settles quickly by default, so tests stay fast; `--realistic-timing` (or
 * `setClientVpnTiming(REALISTIC_TIMING)`) uses AWS-like delays.
 */
export interface ClientVpnTiming {
  readonly associate: number;
  readonly disassociate: number;
  /** How long a `disassociated` association stays listed. */
  readonly disassociatedVisible: number;
  readonly authorize: number;
  readonly revoke: number;
  readonly route: number;
  readonly deleteEndpoint: number;
  /** How long a `deleted` endpoint stays listed. */
  readonly deletedVisible: number;
  readonly clientConnectOptions: number;
  readonly crl: number;
}

export const FAST_TIMING: ClientVpnTiming = {
  associate: 100,
  disassociate: 100,
  disassociatedVisible: 200,
  authorize: 100,
  revoke: 100,
  route: 100,
  deleteEndpoint: 100,
  deletedVisible: 200,
  clientConnectOptions: 100,
  crl: 100,
};

const MINUTE = 60_000;

/** Delays of the order AWS shows (clientvpn.md §4.2; "visible" periods: 10 minutes, a choice). */
export const REALISTIC_TIMING: ClientVpnTiming = {
  associate: 5 * MINUTE,
  disassociate: 2 * MINUTE,
  disassociatedVisible: 10 * MINUTE,
  authorize: 30_000,
  revoke: 30_000,
  route: 90_000,
  deleteEndpoint: MINUTE,
  deletedVisible: 10 * MINUTE,
  clientConnectOptions: 30_000,
  crl: 30_000,
};

let timing: ClientVpnTiming = FAST_TIMING;

export function setClientVpnTiming(t: Partial<ClientVpnTiming>): ClientVpnTiming {
  const before = timing;
  timing = { ...timing, ...t };
  return before;
}

/**
 * Whether a state that began at `since` has settled by `now`. For the "visible" periods
 * the delay counts from the same start, after the transition itself.
 */
export function settled(what: keyof ClientVpnTiming, since: string, now: Date): boolean {
  let delay = timing[what];
  if (what === 'disassociatedVisible') delay += timing.disassociate;
  if (what === 'deletedVisible') delay += timing.deleteEndpoint;
  return now.getTime() - Date.parse(since) >= delay;
}
