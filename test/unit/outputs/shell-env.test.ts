import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  containerCredentialVariables,
  credentialVariables,
  formatEnvAssignments,
  metadataEndpointVariables,
  parseShellKind,
  quoteForShell,
} from '../../../main/outputs/shell-env.js';
import type { EnvVariable } from '../../../main/outputs/shell-env.js';

const run = promisify(execFile);

const NASTY = ["'", '"', '\\', '$', '`', '\n', '\r', '\t', '!', ' ', '*', '?', '~', '#', ';', '&', '|', '(', ')', '{', '}', '%', '\u2018', '\u2019', '\u201a', '\u201b', '$(id)', '${HOME}', "\\'"];
const value = fc.string({
  unit: fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
  maxLength: 40,
}).filter((text) => !text.includes('\0'));

/** Run the lines in a real shell and read back what it exported, exactly. */
async function exportedBy(shell: string, lines: string): Promise<Map<string, string>> {
  const { stdout } = await run(shell, ['-c', `${lines}exec /usr/bin/env -0`], { env: { PATH: '/usr/bin:/bin' }, maxBuffer: 16 * 1024 * 1024 });
  return new Map(
    stdout
      .split('\0')
      .filter((entry) => entry !== '')
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as [string, string]),
  );
}

/** fish's rules for '…': \\ and \' are escapes, every other character (backslash included) is itself. */
function readFishLiteral(literal: string): string {
  expect(literal[0]).toBe("'");
  let out = '';
  for (let i = 1; i < literal.length; i += 1) {
    const char = literal[i] as string;
    if (char === '\\' && (literal[i + 1] === '\\' || literal[i + 1] === "'")) {
      out += literal[i + 1];
      i += 1;
    } else if (char === "'") {
      expect(i).toBe(literal.length - 1);
      return out;
    } else {
      out += char;
    }
  }
  throw new Error('unterminated fish literal');
}

/** PowerShell's rules for '…': any of the four single quotes ends it unless another one follows. */
function readPowerShellLiteral(literal: string): string {
  const quote = /['\u2018\u2019\u201a\u201b]/;
  expect(literal[0]).toBe("'");
  let out = '';
  for (let i = 1; i < literal.length; i += 1) {
    const char = literal[i] as string;
    if (quote.test(char)) {
      if (quote.test(literal[i + 1] ?? '')) {
        out += literal[i + 1];
        i += 1;
        continue;
      }
      expect(i).toBe(literal.length - 1);
      return out;
    }
    out += char;
  }
  throw new Error('unterminated PowerShell literal');
}

describe('quoting for POSIX shells', () => {
  it.each(['/usr/bin/dash', '/usr/bin/bash'])('%s exports every value exactly', async (shell) => {
    const samples = fc.sample(value, 200).concat(NASTY, ['', "''", 'a\nb']);
    const variables = samples.map((text, index) => ({ name: `CT_TEST_${index}`, value: text }));
    const exported = await exportedBy(shell, formatEnvAssignments('sh', variables));
    for (const variable of variables) expect(exported.get(variable.name), JSON.stringify(variable.value)).toBe(variable.value);
  });

  it('writes export lines', () => {
    expect(formatEnvAssignments('sh', [{ name: 'A', value: "it's" }])).toBe("export A='it'\\''s'\n");
  });
});

describe('quoting for fish', () => {
  it('escapes backslash and quote only', () => {
    expect(quoteForShell('fish', "a\\b'c$d")).toBe("'a\\\\b\\'c$d'");
    expect(formatEnvAssignments('fish', [{ name: 'A', value: 'x' }])).toBe("set -gx A 'x'\n");
  });

  it('reads back as the value for any input', () => {
    fc.assert(fc.property(value, (text) => readFishLiteral(quoteForShell('fish', text)) === text));
  });
});

describe('quoting for PowerShell', () => {
  it('doubles every kind of single quote and nothing else', () => {
    expect(quoteForShell('powershell', "it's $env:X `n \u2019q")).toBe("'it''s $env:X `n \u2019\u2019q'");
    expect(formatEnvAssignments('powershell', [{ name: 'AWS_REGION', value: 'eu-west-1' }])).toBe("$Env:AWS_REGION = 'eu-west-1'\n");
  });

  it('reads back as the value for any input', () => {
    fc.assert(fc.property(value, (text) => readPowerShellLiteral(quoteForShell('powershell', text)) === text));
  });
});

describe('variables', { timeout: 90_000 }, () => {
  const credentials = { accessKeyId: 'ASIAENVEXAMPLE', secretAccessKey: "se'cr/et+", sessionToken: 'tok$en==', expiration: Date.UTC(2031, 0, 1, 0, 0, 0) };

  it('credentials, expiry and region', () => {
    expect(credentialVariables(credentials, { region: 'eu-north-1' })).toEqual([
      { name: 'AWS_ACCESS_KEY_ID', value: 'ASIAENVEXAMPLE' },
      { name: 'AWS_SECRET_ACCESS_KEY', value: "se'cr/et+" },
      { name: 'AWS_SESSION_TOKEN', value: 'tok$en==' },
      { name: 'AWS_CREDENTIAL_EXPIRATION', value: '2031-01-01T00:00:00Z' },
      { name: 'AWS_REGION', value: 'eu-north-1' },
      { name: 'AWS_DEFAULT_REGION', value: 'eu-north-1' },
    ]);
  });

  it('are what the real AWS CLI uses after eval in sh', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'ct-env-'));
    try {
      const lines = formatEnvAssignments('sh', credentialVariables(credentials, { region: 'eu-north-1' }));
      const { stdout } = await run('/usr/bin/dash', ['-c', `eval "$1"; exec /usr/bin/aws configure export-credentials --format process`, 'sh', lines], {
        env: { PATH: '/usr/bin:/bin', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: path.join(home, 'none') },
      });
      expect(JSON.parse(stdout)).toMatchObject({ AccessKeyId: 'ASIAENVEXAMPLE', SecretAccessKey: "se'cr/et+", SessionToken: 'tok$en==' });
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });

  it('the loopback metadata endpoint ends in a slash', () => {
    expect(metadataEndpointVariables(49152)).toEqual([{ name: 'AWS_EC2_METADATA_SERVICE_ENDPOINT', value: 'http://127.0.0.1:49152/' }]);
    expect(() => metadataEndpointVariables(0)).toThrow(/not a TCP port/);
  });

  it('the container pair accepts only http on loopback', () => {
    const pair: EnvVariable[] = containerCredentialVariables({ url: 'http://127.0.0.1:8999/creds', token: 'Bearer x y' });
    expect(pair).toEqual([
      { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://127.0.0.1:8999/creds' },
      { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN', value: 'Bearer x y' },
    ]);
    expect(() => containerCredentialVariables({ url: 'http://10.0.0.1/creds', token: 't' })).toThrow(/loopback/);
    expect(() => containerCredentialVariables({ url: 'nope', token: 't' })).toThrow(/not a URL/);
  });

  it('rejects names a shell would misread and NUL values', () => {
    expect(() => formatEnvAssignments('sh', [{ name: 'A;rm -rf', value: 'x' }])).toThrow(/not a valid environment variable name/);
    expect(() => formatEnvAssignments('fish', [{ name: 'A', value: 'x\0y' }])).toThrow(/NUL/);
  });

  it('maps shell names to families', () => {
    expect(['bash', 'ZSH', 'sh', 'fish', 'pwsh', 'PowerShell'].map(parseShellKind)).toEqual(['sh', 'sh', 'sh', 'fish', 'powershell', 'powershell']);
    expect(() => parseShellKind('cmd')).toThrow(/Unknown shell "cmd"/);
  });
});
