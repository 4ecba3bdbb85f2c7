import { CloudtokenError } from '../support/errors.js';
import { EXIT, parseCli, type CliOptions } from './args.js';
import type { CliIo } from './context.js';
import { reportFailure } from './failure.js';
import { helpText } from './help.js';

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
  if (options.version) {
    // Bundled into the build, and read only here: no other command pays for it.
    const { default: manifest } = await import('../../package.json', { with: { type: 'json' } });
    io.stdout.write(`cloudtoken ${manifest.version}\n`);
    return EXIT.ok;
  }
  if (options.command === 'help' || options.help) {
    io.stdout.write(`${helpText(options.command === 'help' ? options.topic : options.command)}\n`);
    return EXIT.ok;
  }
  // Each command loads what it needs when it runs: `help` and `status` need neither the IdP and STS clients nor
  // express, and `credential_process`, run before every AWS CLI call, neither them when a session serves it.
  if (options.command === 'status' || options.command === 'refresh') {
    const { requestRefresh, status } = await import('./commands/status.js');
    if (options.command === 'refresh') return (await requestRefresh(options, io)) ? EXIT.ok : EXIT.failure;
    await status(options, io);
    return EXIT.ok;
  }
  if (options.command === 'switch-role') return (await import('./commands/switch-role.js')).switchRole(options, io);
  const credentialCommand = options.command === 'env' || options.command === 'credential-process' || options.command === 'console' ? options.command : undefined;
  // A running session of the profile serves these without a sign-in; --idp-url means setting a profile up.
  if (credentialCommand && options.idpUrl === undefined) {
    const { credentialCommandViaSession } = await import('./commands/via-session.js');
    const code = await credentialCommandViaSession(credentialCommand, options, io);
    if (code !== undefined) return code;
  }
  if (options.command === 'extension') {
    const { extensionCommand } = await import('./commands/extension.js');
    return (await extensionCommand(options, io)) ? EXIT.ok : EXIT.failure;
  }
  if (options.command === 'network') {
    const { network } = await import('./commands/network.js');
    return (await network(options, io)) ? EXIT.ok : EXIT.failure;
  }
  const interactive = options.command === 'login' || options.command === 'daemon';
  const { openCliContext } = await import('./context.js');
  // A daemon's --role is a one-off: it follows what `login` saves, but never saves its own.
  const roleChoice = options.command === 'login' || (options.command === 'daemon' && options.role === undefined) ? 'remember' : options.command === 'daemon' ? 'follow' : 'none';
  const context = await openCliContext(options, io, { interactive, roleChoice, host: options.command === 'daemon' ? 'daemon' : 'cli' });
  try {
    switch (options.command) {
      case 'login':
        await (await import('./commands/login.js')).login(context);
        return EXIT.ok;
      case 'daemon':
        return await (await import('./commands/daemon.js')).daemon(context, stopSignal());
      case 'logout':
        await (await import('./commands/logout.js')).logout(context);
        return EXIT.ok;
      default: {
        const oneShot = await import('./commands/one-shot.js');
        if (credentialCommand) await oneShot.credentialCommand(credentialCommand, context);
        else await oneShot.roles(context);
        return EXIT.ok;
      }
    }
  } finally {
    await context.close();
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // The browser starts the host with arguments of its own (the caller's origin, a window handle): they are
  // no options, and standard output belongs to native messaging.
  if (argv[0] === 'native-host') {
    const { nativeHost } = await import('./commands/native-host.js');
    return nativeHost(argv.slice(1), io);
  }
  let options: CliOptions | undefined;
  try {
    options = parseCli(argv);
    return await dispatch(options, io);
  } catch (error) {
    const report = reportFailure(error, options, io);
    const [first, ...more] = report.lines;
    io.stderr.write(`cloudtoken: ${first}\n${more.map((line) => `${line}\n`).join('')}`);
    if (!(error instanceof CloudtokenError) && io.env.CLOUDTOKEN_DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    return report.code;
  }
}
