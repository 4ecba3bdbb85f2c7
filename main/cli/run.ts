import { InteractionRequiredError } from '../login/capture.js';
import { CloudtokenError, describeError } from '../support/errors.js';
import { EXIT, HELP, UsageError, parseCli, type CliOptions } from './args.js';
import { openCliContext, type CliIo } from './context.js';
import { daemon } from './commands/daemon.js';
import { login } from './commands/login.js';
import { consoleUrl, credentialProcess, env, roles } from './commands/one-shot.js';
import { network } from './commands/network.js';
import { requestRefresh, status } from './commands/status.js';

const ONE_SHOT = { roles, env, 'credential-process': credentialProcess, console: consoleUrl } as const;

/** Ctrl-C and service managers' TERM both stop the daemon cleanly. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function dispatch(options: CliOptions, io: CliIo): Promise<number> {
  if (options.command === 'help' || options.help) {
    const topic = options.command === 'help' ? options.topic : options.command;
    io.stdout.write(`${HELP[topic ?? 'main']}\n`);
    return EXIT.ok;
  }
  if (options.command === 'status') {
    await status(options, io);
    return EXIT.ok;
  }
  if (options.command === 'network') return (await network(options, io)) ? EXIT.ok : EXIT.failure;
  if (options.command === 'refresh') return (await requestRefresh(io)) ? EXIT.ok : EXIT.failure;
  const interactive = options.command === 'login' || options.command === 'daemon';
  const context = await openCliContext(options, io, { interactive, rememberChoice: interactive });
  try {
    switch (options.command) {
      case 'login':
        await login(context);
        return EXIT.ok;
      case 'daemon':
        return await daemon(context, stopSignal());
      case 'logout':
        await context.authenticator.signOut();
        io.stdout.write(`Signed out of ${context.profile.name}: the IdP session is forgotten.\n`);
        return EXIT.ok;
      default:
        await ONE_SHOT[options.command](context);
        return EXIT.ok;
    }
  } finally {
    await context.close();
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(parseCli(argv), io);
  } catch (error) {
    io.stderr.write(`cloudtoken: ${describeError(error)}\n`);
    if (error instanceof UsageError) return EXIT.usage;
    if (error instanceof InteractionRequiredError) {
      io.stderr.write('Sign in again with `cloudtoken login`.\n');
      return EXIT.signInRequired;
    }
    if (!(error instanceof CloudtokenError) && process.env.CLOUDTOKEN_DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    return EXIT.failure;
  }
}

