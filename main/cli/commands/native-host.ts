import { runNativeHost } from '../../extension/native-host.js';
import { resolveStatePaths } from '../../settings/paths.js';
import type { CliIo } from '../context.js';

/** `cloudtoken native-host`, as the browser starts it: standard input and output carry native messages only. */
export function nativeHost(argv: readonly string[], io: CliIo): Promise<number> {
  const paths = resolveStatePaths({ env: io.env, platform: io.platform, homedir: io.homedir });
  return runNativeHost({ home: paths.home, platform: io.platform, argv, input: io.stdin, output: io.stdout, log: (line) => io.stderr.write(`${line}\n`) });
}
