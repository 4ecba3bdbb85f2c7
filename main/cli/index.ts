import { homedir } from 'node:os';
import { runCli } from './run.js';

// credential_process and `eval "$(cloudtoken env)"` users see stderr on every AWS call: the SDK's notice
// about future Node versions is for us, not for them.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  platform: process.platform,
  homedir: homedir(),
});
// Let stdout drain, then leave even if a library left a handle open.
process.exitCode = code;
setTimeout(() => process.exit(code), 50).unref();
