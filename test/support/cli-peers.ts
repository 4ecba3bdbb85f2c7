import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIdp, type RunningIdp } from './idp/index.js';
import { providersTrusting, startStsStandIn, type StsStandIn } from './sts/stand-in.js';

/** What a CLI test signs in against: the real SimpleSAMLphp, the STS stand-in trusting it, and a folder of its own. */
export interface CliPeers {
  idp: RunningIdp;
  standIn: StsStandIn;
  /** A temporary folder, removed by close(). */
  dir: string;
  /** The environment of a `cloudtoken` run: state in dir/state, STS at the stand-in, no real metadata service. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startCliPeers(name: string): Promise<CliPeers> {
  const idp = await startIdp();
  const standIn = await startStsStandIn({ providers: providersTrusting(idp) });
  const dir = await mkdtemp(join(tmpdir(), `cloudtoken-${name}-`));
  return {
    idp,
    standIn,
    dir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: join(dir, 'home'),
      CLOUDTOKEN_HOME: join(dir, 'state'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_STS: standIn.url,
    },
    async close() {
      await standIn.close();
      await idp.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
