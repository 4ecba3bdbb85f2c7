// @ts-check
/**
 * A Cloudtoken credential handler module (plugin API 1): tells the person, through Cloudtoken's desktop
 * notification (the tray app) or its terminal (the CLI), when the role served at the metadata address
 * changes hands, and when the session signs out. It never keeps or passes on the credentials it is given.
 *
 * @typedef {import('cloudtoken/plugin-api').CredentialHandlerPlugin} CredentialHandlerPlugin
 */

/** @param {string} iso */
const clock = (iso) => new Date(iso).toISOString().slice(11, 16);

/** @type {CredentialHandlerPlugin} */
export default {
  apiVersion: 1,
  kind: 'credential-handler',
  handle(event, context) {
    if (event.type === 'signed-out') return context.notify(`Signed out of ${event.profile.name}: AWS tools get no credentials from Cloudtoken now.`);
    if (!event.metadata) return;
    const role = `${event.role.roleName} in ${context.options.accountLabel ?? event.role.accountId}`;
    if (event.type === 'issued') context.notify(`AWS tools now act as ${role} (until ${clock(event.credentials.expiration)} UTC, renewed on its own).`);
    if (event.type === 'withdrawn') context.notify(event.reason === 'expired' ? `The credentials for ${role} expired.` : `AWS tools no longer act as ${role}.`);
  },
};
