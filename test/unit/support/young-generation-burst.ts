/**
 * Run by young-generation.test.ts in a process of its own (`small` as argument: with the limit): a burst of
 * allocation that keeps a window of objects alive, as in-flight requests do. Prints the young generation's
 * capacity before and after the burst as JSON.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { keepYoungGenerationSmall } from '../../../main/support/young-generation.js';

const youngGeneration = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_size;
if (process.argv[2] === 'small') keepYoungGenerationSmall();
const before = youngGeneration();
const window: unknown[] = new Array(50_000);
for (let i = 0; i < 3_000_000; i += 1) window[i % window.length] = { index: i, text: `request ${i}`, list: [i, i + 1] };
process.stdout.write(JSON.stringify({ before, after: youngGeneration() }));
