/**
 * Loopback mode: when 169.254.169.254 cannot be set up, the credential server listens on 127.0.0.1 and the
 * user's tools must be told where. This says exactly which variables do that, as data the CLI and the tray
 * render, plus ready-to-paste text for the user's shell.
 */
import { containerCredentialVariables, formatEnvAssignments, metadataEndpointVariables, type EnvVariable } from '../outputs/shell-env.js';
import { validatePort, type AliasPlatform } from './alias-plan.js';

export type EnvironmentVariable = EnvVariable;

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
  const imds = metadataEndpointVariables(port);
  const container = options.container && containerCredentialVariables(options.container);
  const shell = options.platform === 'win32' ? 'powershell' : 'sh';
  const lines = (variables: readonly EnvVariable[]) => formatEnvAssignments(shell, variables).trimEnd().split('\n').map((line) => `  ${line}`);
  const text = [
    `Cloudtoken serves credentials on 127.0.0.1:${port} because 169.254.169.254 is not set up. Point your AWS tools at it:`,
    ...lines(imds),
    ...(container ? ['or use the container-credentials endpoint:', ...lines(container)] : []),
  ].join('\n');
  return container ? { imds, container, text } : { imds, text };
}
