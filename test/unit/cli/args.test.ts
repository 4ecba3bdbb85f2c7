import { describe, expect, it } from 'vitest';
import { UsageError, parseCli } from '../../../main/cli/args.js';
import { LIMITS, REGION_PATTERN } from '../../../main/settings/schema.js';

const refused = (argv: string[]) => {
  try {
    parseCli(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} parsed`);
};

describe('parseCli', () => {
  it('names the command an option belongs to when another command is given it', () => {
    expect(refused(['env', '--keep-alias', '--port', '9000'])).toBe('`--keep-alias` is an option of daemon; env does not take it. See `cloudtoken help env`.');
    expect(refused(['status', '--role', 'Admin'])).toMatch(/^`--role` is an option of login, daemon, env, credential-process, console, switch-role; status does not take it/);
    expect(refused(['daemon', '--credentials-profile', 'X'])).toMatch(/^`--credentials-profile` is an option of login; daemon does not take it/);
    expect(refused(['roles', '-r', '2'])).toMatch(/^`-r` is an option of /);
  });

  it('reads --browser PATH as a path only when it looks like one', () => {
    expect(parseCli(['login', '--browser', '/usr/bin/chromium'])).toMatchObject({ method: 'browser', browserPath: '/usr/bin/chromium' });
    expect(parseCli(['login', '--browser=C:\\Chrome\\chrome.exe'])).toMatchObject({ method: 'browser', browserPath: 'C:\\Chrome\\chrome.exe' });
    expect(parseCli(['login', '--browser', 'chrome.exe'])).toMatchObject({ browserPath: 'chrome.exe' });
    // A bare --browser before another option, or before a word that is no path, takes no value.
    expect(parseCli(['login', '--browser', '--headless'])).toMatchObject({ method: 'browser', browserPath: undefined, headless: true });
    expect(refused(['login', '--browser', 'firefox'])).toMatch(/Unexpected argument "firefox"/);
    expect(refused(['login', '--browser-path', '/x'])).toMatch(/Unknown option '--browser-path'; name the browser with --browser PATH/);
    expect(refused(['status', '--browser', '/usr/bin/chromium'])).toMatch(/^`--browser` is an option of .*; status does not take it/);
  });

  it('takes numbers within the shared limits only', () => {
    const { min, max } = LIMITS.imdsPort;
    expect(parseCli(['daemon', '--port', String(min)]).port).toBe(min);
    expect(refused(['daemon', '--port', '80'])).toBe(`--port must be a whole number from ${min} to ${max}; got "80".`);
    expect(refused(['login', '--duration', '899'])).toBe('--duration must be a whole number from 900 to 43200; got "899".');
    expect(refused(['login', '--timeout', '0'])).toBe('--timeout must be a whole number from 1 to 86400; got "0".');
    expect(refused(['login', '--timeout', '1.5'])).toMatch(/--timeout must be a whole number/);
  });

  it('prints sh syntax for --shell bash and zsh, and refuses shells it cannot write for', () => {
    expect(parseCli(['env', '--shell', 'bash']).shell).toBe('sh');
    expect(parseCli(['env', '--shell', 'zsh']).shell).toBe('sh');
    expect(parseCli(['env']).shell).toBe('sh');
    expect(parseCli(['env', '--shell', 'powershell']).shell).toBe('powershell');
    expect(refused(['env', '--shell', 'csh'])).toBe('--shell must be one of sh, bash, zsh, fish, powershell; got "csh".');
  });

  it('takes regions of every partition by their shape, and refuses what no partition has', () => {
    for (const region of ['us-east-1', 'eu-central-2', 'ap-southeast-5', 'il-central-1', 'mx-central-1', 'ca-west-1', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1', 'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'eusc-de-east-1']) {
      expect(parseCli(['env', '--region', region]).region, region).toBe(region);
      expect(REGION_PATTERN.test(region)).toBe(true);
    }
    for (const region of ['mars-1', 'xx-east-1', 'us-east', 'US-EAST-1', 'us-east-1a', 'eu_west_1', '']) {
      expect(refused(['env', '--region', region]), region).toBe(`--region must be an AWS region such as us-east-1, eu-central-2 or us-gov-west-1; got "${region}".`);
    }
  });

  it('knows its commands, their operands and -d', () => {
    expect(parseCli([]).command).toBe('help');
    expect(parseCli(['-d']).command).toBe('daemon');
    expect(parseCli(['daemon', '-d']).command).toBe('daemon');
    expect(refused(['env', '-d'])).toBe('-d is short for the daemon command; it cannot be combined with another command.');
    expect(refused(['frobnicate'])).toMatch(/^Unknown command "frobnicate". Commands: login, daemon, .*switch-role, network, extension, logout, help\./);
    expect(parseCli(['network']).networkAction).toBe('status');
    expect(parseCli(['network', 'revert', '--port', '9921'])).toMatchObject({ networkAction: 'revert', port: 9921 });
    expect(refused(['network', 'teardown'])).toBe('cloudtoken network takes one of status, setup, revert; got "teardown".');
    expect(parseCli(['help', 'switch-role'])).toMatchObject({ command: 'help', topic: 'switch-role' });
    expect(refused(['help', 'nothing'])).toBe('No help for "nothing": unknown command.');
    expect(refused(['env', 'extra'])).toBe('Unexpected argument "extra". See `cloudtoken help env`.');
  });

  it('asks switch-role for its role, and keeps the sign-in rules', () => {
    expect(refused(['switch-role'])).toBe('switch-role needs the role to switch to: cloudtoken switch-role --role ROLE.');
    expect(parseCli(['switch-role', '--help']).help).toBe(true);
    expect(parseCli(['switch-role', '-r', 'Admin', '--port', '9921'])).toMatchObject({ role: 'Admin', port: 9921 });
    expect(refused(['login', '--browser', '--form'])).toBe('Choose one sign-in path: --browser, --form or --extension.');
    expect(refused(['login', '--form', '--extension'])).toBe('Choose one sign-in path: --browser, --form or --extension.');
    expect(parseCli(['login', '--extension']).method).toBe('extension');
    expect(parseCli(['extension', 'uninstall']).extensionAction).toBe('uninstall');
    expect(refused(['extension'])).toBe('cloudtoken extension takes one of install, uninstall.');
    expect(refused(['extension', 'remove'])).toBe('cloudtoken extension takes one of install, uninstall; got "remove".');
    expect(refused(['login', '--browser', '--password-stdin'])).toBe('--password-stdin with --browser also needs --username, to fill in the login form.');
    expect(refused(['login', '--nope'])).toBe("Unknown option '--nope'. See `cloudtoken --help`.");
  });
});
