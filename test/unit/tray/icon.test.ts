import { describe, expect, it } from 'vitest';
import type { SessionPhase } from '../../../main/session/types.js';
import { trayIconState, trayTooltip } from '../../../main/tray/icon.js';
import { role, serving, snapshot } from '../../support/session-snapshots.js';

const NOW = Date.UTC(2026, 10, 25, 13, 0, 0);
const admin = role('123456789012', 'Admin');

describe('trayIconState', () => {
  it.each<[SessionPhase, string]>([
    ['signed-out', 'signed-out'],
    ['signing-in', 'refreshing'],
    ['choosing-role', 'attention'],
    ['active', 'active'],
    ['refreshing', 'refreshing'],
    ['needs-sign-in', 'attention'],
    ['failed', 'attention'],
    ['expired', 'attention'],
  ])('%s → %s', (phase, state) => {
    expect(trayIconState(snapshot(phase))).toBe(state);
  });
});

describe('trayTooltip', () => {
  it('names role, account label and time left', () => {
    const s = serving('active', [admin], admin, NOW + 42 * 60_000 + 30_000);
    expect(trayTooltip(s, { '123456789012': 'Production' }, NOW)).toBe('Cloudtoken — Admin · Production — 42 min left');
    expect(trayTooltip(s, {}, NOW + 42 * 60_000)).toBe('Cloudtoken — Admin · 123456789012 — less than a minute left');
  });

  it('counts hours for long sessions', () => {
    expect(trayTooltip(serving('active', [admin], admin, NOW + 125 * 60_000), {}, NOW)).toBe('Cloudtoken — Admin · 123456789012 — 2 h 05 min left');
  });

  it.each<[SessionPhase, number | undefined, string]>([
    ['refreshing', NOW + 600_000, 'refreshing, 10 min left'],
    ['needs-sign-in', NOW + 600_000, 'sign in again, 10 min left'],
    ['failed', undefined, 'refresh failed'],
    ['expired', NOW - 1, 'credentials expired'],
  ])('%s says how things stand', (phase, expiresAt, tail) => {
    expect(trayTooltip(serving(phase, [admin], admin, expiresAt), {}, NOW)).toBe(`Cloudtoken — Admin · 123456789012 — ${tail}`);
  });

  it('signed out, and never longer than Windows shows', () => {
    expect(trayTooltip(snapshot('signed-out'), {}, NOW)).toBe('Cloudtoken — signed out');
    const longRole = role('123456789012', 'R'.repeat(200));
    const tip = trayTooltip(serving('active', [longRole], longRole, NOW + 60_000), {}, NOW);
    expect(tip.length).toBeLessThanOrEqual(127);
  });
});
