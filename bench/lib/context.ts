import type { ResultRow } from './report.js';

export interface BenchContext {
  /** Scaled-down counts and durations (the smoke test's mode); ratios stay meaningful, precision drops. */
  quick: boolean;
  /** Where CPU profiles go (git-ignored). */
  profilesDir: string;
  log(message: string): void;
}

export interface SectionResult {
  rows: ResultRow[];
  /** Everything measured, for results.json. */
  details: Record<string, unknown>;
}

export interface Section {
  id: string;
  title: string;
  run(context: BenchContext): Promise<SectionResult>;
}
