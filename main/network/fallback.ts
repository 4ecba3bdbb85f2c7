/**
 * Loopback mode: when 169.254.169.254 cannot be set up, the credential server listens on 127.0.0.1 and the
 * user's tools must be told where. This says exactly which variables do that, as data the CLI and the tray
 * render, plus ready-to-paste text for the user's shell.
 */
import { validatePort, type AliasPlatform } from './alias-plan.js';

export interface EnvironmentVariable {
  readonly name: string;
  readonly value: string;
}

export interface FallbackAdvice {
  /** For every AWS SDK and the CLI: the IMDS endpoint (the trailing slash is required by some SDKs). */
  readonly imds: readonly EnvironmentVariable[];
  /** Alternative for tools that prefer the container-credentials provider, when that endpoint runs. */
  readonly container?: readonly EnvironmentVariable[];
  /** Shell lines for the platform: POSIX `export` on Linux and macOS, PowerShell on Windows. */
  readonly text: string;
}

export interface FallbackAdviceOptions {
  readonly port: number;
  readonly platform: AliasPlatform;
  /** The container-credentials endpoint (full URI on 127.0.0.1) and its authorization token. */
  readonly container?: { readonly url: string; readonly token: string };
}

export function fallbackAdvice(options: FallbackAdviceOptions): FallbackAdvice {
  const port = validatePort(options.port);
  const imds = [{ name: 'AWS_EC2_METADATA_SERVICE_ENDPOINT', value: `http://127.0.0.1:${port}/` }];
  const container = options.container && [
    { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: options.container.url },
    { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN', value: options.container.token },
  ];
  const line = options.platform === 'win32' ? powershellLine : posixLine;
  const text = [
    `Cloudtoken serves credentials on 127.0.0.1:${port} because 169.254.169.254 is not set up. Point your AWS tools at it:`,
    ...imds.map(line),
    ...(container ? ['or use the container-credentials endpoint:', ...container.map(line)] : []),
  ].join('\n');
  return container ? { imds, container, text } : { imds, text };
}

function posixLine({ name, value }: EnvironmentVariable): string {
  return `  export ${name}='${value.replaceAll("'", `'\\''`)}'`;
}

function powershellLine({ name, value }: EnvironmentVariable): string {
  return `  $env:${name} = '${value.replaceAll("'", "''")}'`;
}
