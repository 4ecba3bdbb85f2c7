import { SamlError } from '../../main/saml/saml-error.js';

/** Runs `action` and returns the SamlError it throws; anything else (a result, another error) fails the test. */
export function samlErrorFrom(action: () => unknown): SamlError {
  let result: unknown;
  try {
    result = action();
  } catch (error) {
    if (error instanceof SamlError) return error;
    throw error;
  }
  throw new Error(`expected a SamlError, got a result: ${String(JSON.stringify(result)).slice(0, 200)}`);
}
