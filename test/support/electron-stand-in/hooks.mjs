// Module resolution hook (runs on the loader thread): the bare specifier `electron` — from the app bundle and
// from electron-store alike — resolves to the stand-in; everything else resolves as usual.
const STAND_IN = new URL('./index.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: STAND_IN, shortCircuit: true };
  return nextResolve(specifier, context);
}
