import type { ContainerVariable, CopyTarget, EnvironmentWarning, StatusView } from '../../preload/contract.js';
import type { ShadowingFinding } from '../diagnosis/shadowing.js';
import { formatEnvAssignments } from '../outputs/shell-env.js';
import type { RunningCredentialService } from './serving.js';
import type { SessionSnapshot } from '../session/types.js';
import type { Settings } from '../settings/schema.js';

/** What the tray app's status window and its copy buttons show. */

export type ServiceFacts = Pick<RunningCredentialService, 'mode' | 'imdsUrl' | 'containerEnvironment'>;

const SECRET_VARIABLES = new Set(['AWS_CONTAINER_AUTHORIZATION_TOKEN']);
const MASK = '••••••••';

export function containerVariables(service: ServiceFacts | undefined): ContainerVariable[] {
  if (!service) return [];
  return Object.entries(service.containerEnvironment).map(([name, value]) => {
    const secret = SECRET_VARIABLES.has(name);
    return { name, value: secret ? MASK : value, secret };
  });
}

export function environmentWarnings(findings: readonly ShadowingFinding[]): EnvironmentWarning[] {
  return findings.map((finding) => ({ code: finding.code, message: `${finding.message} ${finding.fix}` }));
}

/** Where AWS tools will find the metadata service once it runs (before it does, or when it could not start). */
export function plannedImdsUrl(settings: Settings): string {
  return settings.imdsMode === 'alias' ? 'http://169.254.169.254/' : `http://127.0.0.1:${settings.imdsPort}/`;
}

export function buildStatusView(input: {
  snapshot: SessionSnapshot;
  settings: Settings;
  now: number;
  service: ServiceFacts | undefined;
  findings: readonly ShadowingFinding[];
  extension?: StatusView['extension'];
}): StatusView {
  const { settings, service } = input;
  const planned = plannedImdsUrl(settings);
  return {
    snapshot: input.snapshot,
    accountLabels: settings.accountLabels,
    now: input.now,
    imds: { mode: service?.mode ?? settings.imdsMode, address: service?.imdsUrl ?? planned, listening: service !== undefined, tokensRequired: settings.tokensRequired },
    containerVariables: containerVariables(service),
    warnings: environmentWarnings(input.findings),
    extension: input.extension,
  };
}

/** What a status window copy button puts on the clipboard (the real token, which the window never sees). */
export function copyText(target: CopyTarget, service: ServiceFacts): string {
  if (target === 'imds-address') return service.imdsUrl;
  const variables = Object.entries(service.containerEnvironment).map(([name, value]) => ({ name, value }));
  return formatEnvAssignments(target === 'container-env-sh' ? 'sh' : 'powershell', variables);
}
