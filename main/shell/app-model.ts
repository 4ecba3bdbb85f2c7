import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ContainerVariable, CopyTarget, EnvironmentWarning, StatusView } from '../../preload/contract.js';
import type { ShadowingFinding } from '../outputs/shadowing.js';
import { formatEnvAssignments } from '../outputs/shell-env.js';
import type { RunningCredentialService } from '../session/serving.js';
import type { SessionSnapshot } from '../session/types.js';
import type { IdpProfile, Settings } from '../settings/schema.js';

/**
 * The tray app's decisions that are not Electron's: which profile is active, what a settings change
 * restarts, what the status window and its copy buttons show. app.ts only carries them out.
 */

/**
 * The file: URL the pages are loaded from (windows.ts loads `dist/renderer/<kind>/index.html` below it): the
 * base IPC's sender check compares each sending frame against.
 */
export function rendererBaseUrl(appPath: string): string {
  return pathToFileURL(join(appPath, 'dist', 'renderer') + '/').href;
}

/** The profile the tray signs in to: the selected one, else the first. */
export function activeProfile(settings: Settings): IdpProfile | undefined {
  return settings.idpProfiles.find((p) => p.id === settings.activeProfileId) ?? settings.idpProfiles[0];
}

/** The region STS calls, the console and copied variables use for a profile. */
export function regionFor(profile: IdpProfile, settings: Settings): string {
  return profile.region ?? settings.region;
}

export interface SettingsEffects {
  /** A new credential session: another IdP, another sign-in URL, another STS endpoint or duration. */
  restartSession: boolean;
  /** The metadata service listens anew: mode, port or the token requirement changed. */
  restartService: boolean;
}

export function settingsEffects(previous: Settings, next: Settings): SettingsEffects {
  const before = activeProfile(previous);
  const after = activeProfile(next);
  return {
    restartSession:
      before?.id !== after?.id ||
      before?.signInUrl !== after?.signInUrl ||
      before?.name !== after?.name ||
      previous.stsEndpointOverride !== next.stsEndpointOverride ||
      previous.sessionDurationSeconds !== next.sessionDurationSeconds ||
      previous.refreshIntervalMinutes !== next.refreshIntervalMinutes,
    restartService: previous.imdsMode !== next.imdsMode || previous.imdsPort !== next.imdsPort || previous.tokensRequired !== next.tokensRequired,
  };
}

/** The container-credentials port beside the metadata port, so several instances (CLOUDTOKEN_HOME) never collide. */
export function containerPortFor(imdsPort: number): number {
  return imdsPort < 65_535 ? imdsPort + 1 : imdsPort - 1;
}

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
  };
}

/** What a status window copy button puts on the clipboard (the real token, which the window never sees). */
export function copyText(target: CopyTarget, service: ServiceFacts): string {
  if (target === 'imds-address') return service.imdsUrl;
  const variables = Object.entries(service.containerEnvironment).map(([name, value]) => ({ name, value }));
  return formatEnvAssignments(target === 'container-env-sh' ? 'sh' : 'powershell', variables);
}
