import { fileURLToPath } from 'node:url';
import { createImdsApp, type ServedCredentials } from '../../main/imds/app.js';
import { startMetadataServer } from '../../main/imds/server.js';
import { startJsonChild } from '../lib/child.js';
import type { Section, SectionResult } from '../lib/context.js';
import type { ResultRow } from '../lib/report.js';
import { servedSet } from './rotating-credentials.js';

const FETCH_CLIENT = fileURLToPath(new URL('../clients/credential-fetch.ts', import.meta.url));
const CLIENTS = 64;
const ROTATIONS = 100;
const ROLE = 'cloudtoken-rotation';

interface FetchReport {
  sequences: number;
  errors: number;
  expired: number;
  mixed: number;
  p50Ms: number;
  p99Ms: number;
  problems: string[];
}

export const rotation: Section = {
  id: 'rotation',
  title: '3. Rotation under load',
  async run(context): Promise<SectionResult> {
    const intervalMs = context.quick ? 5 : 20;
    let current: ServedCredentials = servedSet(0, ROLE);
    const app = createImdsApp({ credentials: () => current, region: 'us-east-1' });
    const server = await startMetadataServer({ app, host: '127.0.0.1', port: 0 });
    const client = startJsonChild(FETCH_CLIENT, [JSON.stringify({ baseUrl: server.url, concurrency: CLIENTS, durationMs: 120_000, check: true })]);
    let report: FetchReport;
    let rotations = 0;
    try {
      await client.nextMessage();
      // Let every client get going before the first swap.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          rotations += 1;
          current = servedSet(rotations, ROLE);
          if (rotations === ROTATIONS) {
            clearInterval(timer);
            resolve();
          }
        }, intervalMs);
      });
      // Requests in flight at the last swap finish before the clients stop.
      await new Promise((resolve) => setTimeout(resolve, 100));
      client.tell('stop');
      report = await client.nextMessage<FetchReport>();
    } finally {
      await client.stop();
      await server.close();
    }
    context.log(`  ${report.sequences} full fetches by ${CLIENTS} clients over ${rotations} rotations: ${report.errors} errors, ${report.expired} expired, ${report.mixed} mixed`);
    const count = (name: string, value: number): ResultRow => ({ section: '3', name, unit: '', ours: value, target: '0', met: value === 0 });
    const rows: ResultRow[] = [
      { section: '3', name: `full fetches by ${CLIENTS} clients during ${rotations} rotations`, unit: 'fetches', ours: report.sequences },
      count('errors', report.errors),
      count('expired or mixed credentials', report.expired + report.mixed),
    ];
    return { rows, details: { clients: CLIENTS, rotations, swapIntervalMs: intervalMs, ...report } };
  },
};
