/**
 * The macOS apply and revert scripts, run for real by /bin/sh against stand-ins for `ifconfig` and `pfctl`
 * (macOS's own tools cannot run here). The stand-ins are mounted over /usr/sbin, and /run (= /var/run)
 * is a fresh tmpfs, inside a mount namespace of the test's own (`unshare --mount --fork`): the host's tools
 * and files are untouched. No network traffic is involved at all, so no network namespace is needed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliasPlan, PF_ANCHOR, PF_TOKEN_FILE } from '../../main/network/alias-plan.js';

const isRoot = process.getuid?.() === 0;
const PORT = 49321;

// Keeps lo0's extra addresses in /run/fake/lo0 and prints them the way macOS does.
const FAKE_IFCONFIG = `#!/bin/sh
S=/run/fake
echo "ifconfig $*" >> $S/calls
if [ "$#" = 1 ] && [ "$1" = lo0 ]; then
  echo 'lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384'
  printf '\\tinet 127.0.0.1 netmask 0xff000000\\n'
  cat $S/lo0 2>/dev/null
  exit 0
fi
if [ "$1 $2 $4" = "lo0 alias 255.255.255.255" ]; then
  [ -e $S/fail-alias ] && { echo 'ifconfig: ioctl (SIOCAIFADDR): Operation not permitted' >&2; exit 1; }
  printf '\\tinet %s netmask 0xffffffff\\n' "$3" >> $S/lo0
  exit 0
fi
if [ "$1 $2" = "lo0 -alias" ]; then
  grep -v "inet $3 " $S/lo0 > $S/lo0.new; mv $S/lo0.new $S/lo0
  exit 0
fi
exit 64
`;

// Keeps the anchor's rules and pf's enable references (tokens) the way pfctl -E/-X count them.
const FAKE_PFCTL = `#!/bin/sh
S=/run/fake
echo "pfctl $*" >> $S/calls
case "$*" in
  "-q -a ${PF_ANCHOR} -f -") cat > $S/anchor; exit 0 ;;
  "-q -a ${PF_ANCHOR} -F all") : > $S/anchor; exit 0 ;;
  "-E")
    n=$(( $(cat $S/counter 2>/dev/null || echo 7000) + 1 )); echo $n > $S/counter; echo $n >> $S/refs
    printf 'No ALTQ support in kernel\\nALTQ related functions disabled\\npf enabled\\nToken : %s\\n' $n >&2
    exit 0 ;;
  "-X "*) grep -qx "$2" $S/refs || exit 1; grep -vx "$2" $S/refs > $S/refs.new; mv $S/refs.new $S/refs; exit 0 ;;
esac
exit 64
`;

// Runs each step's script and keeps a copy of the stand-ins' state after it.
const DRIVER = `#!/bin/sh
W=$1; OUT=$2; shift 2
mount -t tmpfs tmpfs /usr/sbin && mount -t tmpfs tmpfs /run || exit 99
mkdir /run/fake && touch /run/fake/calls /run/fake/lo0 /run/fake/refs
cp "$W/ifconfig" "$W/pfctl" /usr/sbin/ && chmod 755 /usr/sbin/ifconfig /usr/sbin/pfctl
n=0
for step in "$@"; do
  n=$((n + 1))
  case "$step" in
    fail-alias) touch /run/fake/fail-alias; continue ;;
    *) sh "$W/$step.sh" > /dev/null 2>&1; rc=$? ;;
  esac
  mkdir "$OUT/$n" && echo $rc > "$OUT/$n/rc" && cp -r /run/fake/. "$OUT/$n/" || exit 98
  if [ -e ${PF_TOKEN_FILE} ]; then cp ${PF_TOKEN_FILE} "$OUT/$n/token"; fi
done
exit 0
`;

interface StepState {
  rc: number;
  lo0: string;
  anchor: string;
  refs: string[];
  token: string | undefined;
  calls: string[];
}

let work: string;

/** Runs the steps in one fresh mount namespace; returns the state after each script step. */
function runSteps(...steps: string[]): StepState[] {
  const out = mkdtempSync(join(work, 'out-'));
  const result = spawnSync('unshare', ['--mount', '--fork', 'sh', join(work, 'driver.sh'), work, out, ...steps], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return steps.flatMap((step, index) => {
    if (step === 'fail-alias') return [];
    const dir = join(out, String(index + 1));
    const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : undefined);
    const lines = (name: string) => (read(name) ?? '').split('\n').filter(Boolean);
    return [{ rc: Number(read('rc')), lo0: read('lo0') ?? '', anchor: read('anchor') ?? '', refs: lines('refs'), token: read('token'), calls: lines('calls') }];
  });
}

describe.skipIf(!isRoot)('the macOS scripts against stand-ins for ifconfig and pfctl (mount namespace, needs root)', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cloudtoken-macos-script-'));
    const plan = createAliasPlan({ platform: 'darwin', port: PORT });
    writeFileSync(join(work, 'apply.sh'), plan.apply.text);
    writeFileSync(join(work, 'revert.sh'), plan.revert.text);
    writeFileSync(join(work, 'ifconfig'), FAKE_IFCONFIG);
    writeFileSync(join(work, 'pfctl'), FAKE_PFCTL);
    writeFileSync(join(work, 'driver.sh'), DRIVER);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('apply adds the /32 and the rdr rule and keeps its pf reference; again, it swaps the reference and adds nothing', () => {
    const [first, second] = runSteps('apply', 'apply');
    expect(first!.rc).toBe(0);
    expect(first!.lo0).toBe('\tinet 169.254.169.254 netmask 0xffffffff\n');
    expect(first!.anchor).toBe(
      `rdr pass on lo0 inet proto tcp from any to 169.254.169.254 port 80 -> 169.254.169.254 port ${PORT}\n` +
        'block drop in quick on ! lo0 inet from any to 169.254.169.254\n',
    );
    expect(first!.refs).toEqual(['7001']);
    expect(first!.token).toBe('7001\n');

    expect(second!.rc).toBe(0);
    expect(second!.lo0).toBe(first!.lo0);
    expect(second!.anchor).toBe(first!.anchor);
    expect(second!.refs).toEqual(['7002']);
    expect(second!.token).toBe('7002\n');
    expect(second!.calls.filter((call) => call.startsWith('ifconfig lo0 alias'))).toHaveLength(1);
  });

  it('revert empties the anchor, releases the reference and removes the alias; again, it changes nothing', () => {
    const [, reverted, again] = runSteps('apply', 'revert', 'revert');
    for (const state of [reverted!, again!]) {
      expect(state.rc).toBe(0);
      expect(state.lo0).toBe('');
      expect(state.anchor).toBe('');
      expect(state.refs).toEqual([]);
      expect(state.token).toBeUndefined();
    }
    expect(again!.calls.filter((call) => call.startsWith('ifconfig lo0 -alias'))).toHaveLength(1);
  });

  it('a failing step stops the script with that step\'s exit code', () => {
    const [failed] = runSteps('fail-alias', 'apply');
    expect(failed!.rc).toBe(10);
    expect(failed!.calls.some((call) => call.startsWith('pfctl'))).toBe(false);
  });
});
