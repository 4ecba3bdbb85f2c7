/**
 * The page the browser shows in place of AWS once the SAML response is captured. Self-contained (no
 * scripts, no external resources) so that it renders under `default-src 'none'`; the empty icon keeps the
 * browser from asking AWS for a favicon.
 */
export const SIGNED_IN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signed in — Cloudtoken</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
  main { max-width: 28rem; padding: 2rem; text-align: center; }
  .mark { width: 3.5rem; height: 3.5rem; margin: 0 auto 1rem; border-radius: 50%; display: grid; place-items: center;
          background: #1f883d; color: #fff; font-size: 2rem; line-height: 1; }
  h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
  p { margin: 0; opacity: .8; line-height: 1.5; }
</style>
</head>
<body>
<main>
  <div class="mark" aria-hidden="true">&#10003;</div>
  <h1>Signed in</h1>
  <p>Cloudtoken has your AWS sign-in. You can close this window; Cloudtoken closes it in a moment.</p>
</main>
</body>
</html>
`;
