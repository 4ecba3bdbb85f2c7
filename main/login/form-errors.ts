import { CloudtokenError } from '../support/errors.js';

/** Why an HTML-form sign-in stopped; `code` tells which, `message` says it to the user. */
export type FormLoginErrorCode =
  | 'FORM_CREDENTIALS_REJECTED'
  | 'FORM_CODE_REJECTED'
  | 'FORM_FIELD_UNANSWERED'
  | 'FORM_NOT_FOUND'
  | 'FORM_STEP_LIMIT'
  | 'FORM_TOO_MANY_REDIRECTS'
  | 'FORM_UNSAFE_REDIRECT'
  | 'FORM_INSECURE_TRANSPORT'
  | 'FORM_AWS_WITHOUT_RESPONSE'
  | 'FORM_TLS'
  | 'FORM_NETWORK'
  | 'FORM_HTTP_ERROR'
  | 'FORM_TIMEOUT'
  | 'FORM_BAD_URL'
  | 'FORM_PAGE_TOO_LARGE';

export class FormLoginError extends CloudtokenError<FormLoginErrorCode> {
  /** The IdP's HTTP status for FORM_HTTP_ERROR: a 5xx or 429 is its passing trouble, a 4xx a lasting refusal. */
  readonly httpStatus: number | undefined;

  constructor(code: FormLoginErrorCode, message: string, options?: { cause?: unknown; httpStatus?: number }) {
    super(code, message, options);
    this.httpStatus = options?.httpStatus;
  }
}
