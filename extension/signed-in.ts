/**
 * The page the extension shows instead of AWS once it has kept the SAML POST from leaving; which text shows
 * depends on what Cloudtoken answered (the background puts it after `#`).
 */
const TEXTS: Record<string, [string, string]> = {
  sending: ['Signing in to Cloudtoken…', 'Handing your AWS sign-in to the Cloudtoken app.'],
  accepted: ['Signed in to Cloudtoken', 'Choose your role in the Cloudtoken menu. You can close this tab.'],
  refused: [
    'Cloudtoken was not waiting for a sign-in',
    'Nothing was changed: start the sign-in from Cloudtoken (the tray menu, or `cloudtoken login --extension`). This sign-in did not reach AWS.',
  ],
  'no-host': [
    'Cloudtoken is not reachable',
    'The extension could not reach the Cloudtoken app. Install its browser connection (tray menu → Settings, or `cloudtoken extension install`) and try again.',
  ],
  'no-assertion': ['No AWS sign-in in this page', 'Your identity provider posted to AWS without a SAML response; nothing was sent.'],
};

function render(): void {
  const [title, detail] = TEXTS[location.hash.slice(1)] ?? TEXTS.sending!;
  document.getElementById('title')!.textContent = title;
  document.getElementById('detail')!.textContent = detail;
  document.title = `${title} — Cloudtoken`;
}
window.addEventListener('hashchange', render);
render();
