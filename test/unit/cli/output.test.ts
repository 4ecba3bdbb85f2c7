import { describe, expect, it } from 'vitest';
import { describeExpiry, writeJson } from '../../../main/cli/output.js';
import { Transcript } from '../../support/cli-io.js';

describe('CLI output', () => {
  it('writes JSON indented, one document per call', () => {
    const out = new Transcript();
    writeJson(out, { a: [1], b: 'x' });
    expect(out.text).toBe('{\n  "a": [\n    1\n  ],\n  "b": "x"\n}\n');
  });

  it('says when credentials expire, in minutes and then hours', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0);
    expect(describeExpiry(now + 59 * 60_000 + 10_000, now)).toMatch(/^valid until \S.* \(in 59 min\)$/);
    expect(describeExpiry(now + 119 * 60_000, now)).toMatch(/\(in 119 min\)$/);
    expect(describeExpiry(now + 8 * 3_600_000 + 5 * 60_000, now)).toMatch(/\(in 8 h 5 min\)$/);
    expect(describeExpiry(now - 60_000, now)).toMatch(/\(in 0 min\)$/);
  });
});
