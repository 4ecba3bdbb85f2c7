import type { Section } from '../lib/context.js';
import { clientLatency } from './client-latency.js';
import { footprint } from './footprint.js';
import { idle } from './idle.js';
import { imdsThroughput } from './imds-throughput.js';
import { roleScale } from './role-scale.js';
import { rotation } from './rotation.js';
import { sessionChannel } from './session-channel.js';
import { startup } from './startup.js';

/** Every benchmark, in the order of issue 9 (the table's section numbers). */
export const SECTIONS: readonly Section[] = [imdsThroughput, clientLatency, rotation, roleScale, footprint, startup, idle, sessionChannel];
