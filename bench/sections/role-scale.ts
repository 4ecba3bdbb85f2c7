import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DOMParser } from '@xmldom/xmldom';
import { parseSamlResponse } from '../../main/saml/assertion.js';
import { buildTrayMenu } from '../../main/tray/menu.js';
import { buildSamlResponse, createSigningIdentity } from '../../test/support/saml-fixtures.js';
import { serving } from '../../test/support/session-snapshots.js';
import type { Section, SectionResult } from '../lib/context.js';
import { ratioRow, type ResultRow } from '../lib/report.js';
import { median, round } from '../lib/stats.js';

const ROLE_COUNTS = [10, 100, 1_000, 5_000] as const;
const ROLES_PER_ACCOUNT = 20;
const RETAINED_COPIES = 5;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** `count` Role attribute values (`role,provider`), twenty roles per account, as a large IdP sends them. */
function roleValues(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const account = String(100_000_000_000 + Math.floor(i / ROLES_PER_ACCOUNT));
    return `arn:aws:iam::${account}:role/Team${String(i).padStart(4, '0')}-Deploy,arn:aws:iam::${account}:saml-provider/Corp`;
  });
}

/** What the tray does with a fresh assertion: parse it, then build the menu for the session it starts. */
function parseAndBuildMenu(samlResponse: string, now: number) {
  const parsed = parseSamlResponse(samlResponse, { now });
  const served = parsed.roles[0]!;
  const menu = buildTrayMenu(serving('active', parsed.roles, served, now + 3_600_000), {
    accountLabels: {},
    startAtLogin: false,
    hasProfiles: true,
    now,
    timeZone: 'UTC',
  });
  return { parsed, menu };
}

const timed = (work: () => unknown): number => {
  const start = performance.now();
  work();
  return performance.now() - start;
};

/** Medians of `ours` and `baseline` run alternately, so a burst of load from others hits both alike. */
function timeMedians(iterations: number, ours: () => unknown, baseline: () => unknown): { ours: number; baseline: number } {
  const samples = { ours: [] as number[], baseline: [] as number[] };
  for (let i = 0; i < iterations; i += 1) {
    samples.ours.push(timed(ours));
    samples.baseline.push(timed(baseline));
  }
  return { ours: median(samples.ours), baseline: median(samples.baseline) };
}

interface Measured {
  roles: number;
  base64Bytes: number;
  ms: number;
  xmldomMs: number;
  retainedKiB: number;
}

export const roleScale: Section = {
  id: 'role-scale',
  title: '4. Scale with roles (parse + tray menu)',
  async run(context): Promise<SectionResult> {
    const identity = createSigningIdentity();
    const now = Date.now();
    const measured: Measured[] = [];
    // Warm-up, so the first size does not pay for JIT compilation.
    const warm = buildSamlResponse({ identity, roles: roleValues(50), now });
    for (let i = 0; i < 20; i += 1) parseAndBuildMenu(warm, now);
    for (const count of ROLE_COUNTS) {
      const samlResponse = buildSamlResponse({ identity, roles: roleValues(count), now });
      const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
      // Enough repetitions for ~0.3 s of work per size (fewer in --quick), at least 3.
      const iterations = Math.max(3, Math.round((context.quick ? 1_000 : 5_000) / count));
      // The baseline: xmldom alone building the DOM from the same bytes (the floor for any DOM-based reader).
      const { ours: ms, baseline: xmldomMs } = timeMedians(
        iterations,
        () => parseAndBuildMenu(samlResponse, now),
        () => new DOMParser().parseFromString(xml, 'text/xml'),
      );
      // Several copies held at once, so one measurement is well above the heap's own noise.
      const before = heapAfterGc();
      const held = Array.from({ length: RETAINED_COPIES }, () => parseAndBuildMenu(samlResponse, now));
      const retainedKiB = (heapAfterGc() - before) / 1024 / RETAINED_COPIES;
      if (held[0]!.parsed.roles.length !== count) throw new Error(`parsed ${held[0]!.parsed.roles.length} of ${count} roles`);
      measured.push({ roles: count, base64Bytes: samlResponse.length, ms, xmldomMs, retainedKiB: round(retainedKiB, 1) });
      context.log(`  ${count} roles: ${round(ms, 3)} ms (xmldom alone ${round(xmldomMs, 3)} ms), retains ${round(retainedKiB)} KiB`);
    }

    const at = (count: number) => measured.find((m) => m.roles === count)!;
    const perRole = (m: Measured) => m.ms / m.roles;
    const rows: ResultRow[] = measured.map((m) =>
      ratioRow(
        { section: '4', name: `${m.roles.toLocaleString('en-US')} roles: parse + menu`, unit: 'ms', ours: m.ms, baseline: { name: 'xmldom parse', value: m.xmldomMs } },
        m.roles === 1_000 ? { target: 'ours < 50 ms', met: () => m.ms < 50 } : undefined,
      ),
    );
    rows.push(
      ratioRow(
        { section: '4', name: 'time per role, 5,000 vs 100 roles', unit: 'µs/role', ours: perRole(at(5_000)) * 1000, baseline: { name: '100 roles', value: perRole(at(100)) * 1000 } },
        { target: '≤ 3', met: (ratio) => ratio <= 3 },
      ),
      ratioRow({
        section: '4',
        name: 'memory retained per role, 5,000 vs 1,000 roles',
        unit: 'KiB/role',
        ours: at(5_000).retainedKiB / 5_000,
        baseline: { name: '1,000 roles', value: at(1_000).retainedKiB / 1_000 },
      }),
    );
    return { rows, details: { measured } };
  },
};
