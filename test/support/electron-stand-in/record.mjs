// What the stand-in's fakes were given, for the test to read through the control channel (control.mjs).

/** An Electron event object whose default action a listener may prevent. */
export function preventableEvent(fields = {}) {
  const event = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

/** Calls to APIs that have no effect here, in order: `{ api, args }`. */
export const calls = [];

export function record(api, ...args) {
  calls.push({ api, args: structuredCloneSafe(args) });
}

// Functions and class instances cannot cross the control channel; their shape is enough for the test.
function structuredCloneSafe(value) {
  return JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === 'function' ? '[function]' : v)) ?? 'null');
}
