import type { ResultRow } from './report.js';

export interface BenchContext {
  /** Scaled-down counts and durations (the smoke test's mode); ratios stay meaningful, precision drops. */
  quick: boolean;
  /** Where CPU profiles go (git-ignored). */
  profilesDir: string;
  log(message: string): void;
  /** Something several sections share (the signed-in IdP set-up), made once and closed after the last. */
  shared<T extends { close(): Promise<void> }>(key: string, create: () => Promise<T>): Promise<T>;
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
