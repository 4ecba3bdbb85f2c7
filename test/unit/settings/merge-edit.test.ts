import { describe, expect, it } from 'vitest';
import { mergeSettingsEdit } from '../../../main/settings/merge-edit.js';
import { defaultSettings, type Settings } from '../../../main/settings/schema.js';

const corp = { id: 'idp-corp', name: 'Corp', signInUrl: 'https://idp.example.com/aws' };
const lab = { id: 'idp-lab', name: 'Lab', signInUrl: 'https://lab.example.com/aws' };
const cli = { id: 'idp-cli', name: 'Added in a terminal', signInUrl: 'https://cli.example.com/aws' };
const ROLE_A = 'arn:aws:iam::111111111111:role/A';
const ROLE_B = 'arn:aws:iam::111111111111:role/B';

function base(): Settings {
  return { ...defaultSettings(), idpProfiles: [corp, lab], activeProfileId: 'idp-corp', accountLabels: { '111111111111': 'Dev' }, lastRoleArnByProfile: { 'idp-corp': ROLE_A, 'idp-lab': ROLE_A } };
}

describe('mergeSettingsEdit', () => {
  it('applies only what the window changed and keeps what others saved meanwhile', () => {
    const edited = { ...base(), imdsPort: 19_911, accountLabels: { '111111111111': 'Dev', '222222222222': 'Prod' } };
    const latest = { ...base(), idpProfiles: [corp, lab, cli], region: 'eu-west-1', lastRoleArnByProfile: { 'idp-corp': ROLE_B, 'idp-lab': ROLE_A }, accountLabels: { '111111111111': 'Dev', '333333333333': 'Ops' } };
    const merged = mergeSettingsEdit(base(), edited, latest);
    expect(merged.imdsPort).toBe(19_911);
    expect(merged.region).toBe('eu-west-1');
    expect(merged.idpProfiles.map((p) => p.id)).toEqual(['idp-corp', 'idp-lab', 'idp-cli']);
    expect(merged.accountLabels).toEqual({ '111111111111': 'Dev', '222222222222': 'Prod', '333333333333': 'Ops' });
    expect(merged.lastRoleArnByProfile['idp-corp']).toBe(ROLE_B);
  });

  it('keeps the plugins and a profile’s sign-in plugin someone named in the file while the window was open', () => {
    const plugin = { name: 'corp-idp', kind: 'sign-in-source' as const, module: 'corp-idp' };
    const edited = { ...base(), region: 'eu-west-2' };
    const latest = { ...base(), idpProfiles: [{ ...corp, signInPlugin: 'corp-idp' }, lab], plugins: [plugin] };
    const merged = mergeSettingsEdit(base(), edited, latest);
    expect(merged.plugins).toEqual([plugin]);
    expect(merged.idpProfiles[0]?.signInPlugin).toBe('corp-idp');
    expect(merged.region).toBe('eu-west-2');
  });

  it('never takes role choices from the window, but drops those of a profile it removed', () => {
    const edited = { ...base(), idpProfiles: [corp], lastRoleArnByProfile: { 'idp-corp': ROLE_A } };
    const latest = { ...base(), lastRoleArnByProfile: { 'idp-corp': ROLE_B, 'idp-lab': ROLE_A } };
    const merged = mergeSettingsEdit(base(), edited, latest);
    expect(merged.idpProfiles).toEqual([corp]);
    expect(merged.lastRoleArnByProfile).toEqual({ 'idp-corp': ROLE_B });
  });

  it('takes the user’s edit of a profile, and a label or an optional value the user removed', () => {
    const edited = { ...base(), idpProfiles: [{ ...corp, name: 'Corp SSO' }, lab], accountLabels: {} };
    delete edited.activeProfileId;
    const latest = { ...base(), idpProfiles: [corp, { ...lab, region: 'eu-west-2' }] };
    const merged = mergeSettingsEdit(base(), edited, latest);
    expect(merged.idpProfiles).toEqual([{ ...corp, name: 'Corp SSO' }, { ...lab, region: 'eu-west-2' }]);
    expect(merged.accountLabels).toEqual({});
    expect('activeProfileId' in merged).toBe(false);
  });

  it('leaves a profile removed elsewhere removed when the window did not touch it', () => {
    const merged = mergeSettingsEdit(base(), { ...base(), notifications: false }, { ...base(), idpProfiles: [corp] });
    expect(merged.idpProfiles).toEqual([corp]);
    expect(merged.notifications).toBe(false);
  });
});
