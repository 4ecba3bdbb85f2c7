import { COPY_TARGETS } from '../../preload/contract.js';
import type { RequestChannel, RequestOf } from '../../preload/contract.js';
import { SIGN_IN_KINDS } from '../login/sign-in-kinds.js';
import { PROFILE_ID_PATTERN, ROLE_ARN_PATTERN, validateSettings } from '../settings/schema.js';
import type { FieldError } from '../settings/schema.js';

/**
 * Payload checks for every request channel: a renderer is untrusted input like any other. Each validator
 * returns the value in the contract's type (rebuilt, so no extra keys travel on) or why it was refused.
 */
export type PayloadCheck<T> = { ok: true; value: T } | { ok: false; message: string; errors?: FieldError[] };

type Validators = { [C in RequestChannel]: (payload: unknown) => PayloadCheck<RequestOf<C>> };

const refuse = (message: string) => ({ ok: false as const, message });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function none(payload: unknown): PayloadCheck<undefined> {
  return payload === undefined ? { ok: true, value: undefined } : refuse('This request takes no argument.');
}

function roleArnOf(payload: unknown): string | undefined {
  return isRecord(payload) && typeof payload.roleArn === 'string' && ROLE_ARN_PATTERN.test(payload.roleArn) ? payload.roleArn : undefined;
}

/** Longer than any password or code a person types; a bigger answer is not one. */
const MAX_ANSWER_LENGTH = 4096;

function questionIdOf(payload: unknown): number | undefined {
  return isRecord(payload) && Number.isSafeInteger(payload.id) && (payload.id as number) > 0 ? (payload.id as number) : undefined;
}

const VALIDATORS: Validators = {
  'cloudtoken:roles:get': none,
  'cloudtoken:roles:choose': (payload) => {
    const roleArn = roleArnOf(payload);
    return roleArn ? { ok: true, value: { roleArn } } : refuse('That is not a role ARN.');
  },
  'cloudtoken:roles:keep-active': (payload) => {
    const roleArn = roleArnOf(payload);
    if (!roleArn || !isRecord(payload) || typeof payload.keep !== 'boolean') return refuse('Expected a role ARN and whether to keep it active.');
    return { ok: true, value: { roleArn, keep: payload.keep } };
  },
  'cloudtoken:settings:get': none,
  'cloudtoken:settings:save': (payload) => {
    const result = validateSettings(payload);
    return result.ok ? { ok: true, value: result.settings } : { ok: false, message: 'Some settings are not valid.', errors: result.errors };
  },
  'cloudtoken:settings:sign-in-kind': (payload) => {
    if (!isRecord(payload) || typeof payload.profileId !== 'string' || !PROFILE_ID_PATTERN.test(payload.profileId)) return refuse('That is not a profile id.');
    const kind = SIGN_IN_KINDS.find((candidate) => candidate === payload.kind);
    return kind ? { ok: true, value: { profileId: payload.profileId, kind } } : refuse(`The sign-in must be one of ${SIGN_IN_KINDS.join(', ')}.`);
  },
  'cloudtoken:extension:install-host': none,
  'cloudtoken:status:get': none,
  'cloudtoken:status:copy': (payload) => {
    const target = isRecord(payload) ? payload.target : undefined;
    const known = COPY_TARGETS.find((candidate) => candidate === target);
    return known ? { ok: true, value: { target: known } } : refuse('There is nothing like that to copy.');
  },
  'cloudtoken:session:sign-in': none,
  'cloudtoken:session:refresh': none,
  'cloudtoken:login:get': none,
  'cloudtoken:login:navigate': (payload) => {
    const action = isRecord(payload) ? payload.action : undefined;
    return action === 'back' || action === 'reload' ? { ok: true, value: { action } } : refuse('Expected back or reload.');
  },
  'cloudtoken:login:cancel': none,
  'cloudtoken:login:use-system-browser': none,
  'cloudtoken:question:get': none,
  'cloudtoken:question:answer': (payload) => {
    const id = questionIdOf(payload);
    // The answer may be a secret: the refusal says what was wrong, never what was sent.
    if (id === undefined || !isRecord(payload) || typeof payload.answer !== 'string') return refuse('Expected a question id and its answer.');
    if (payload.answer.length > MAX_ANSWER_LENGTH) return refuse(`An answer may be at most ${MAX_ANSWER_LENGTH} characters.`);
    return { ok: true, value: { id, answer: payload.answer } };
  },
  'cloudtoken:question:cancel': (payload) => {
    const id = questionIdOf(payload);
    return id === undefined ? refuse('Expected a question id.') : { ok: true, value: { id } };
  },
  'cloudtoken:window:close': none,
};

export function validateRequest<C extends RequestChannel>(channel: C, payload: unknown): PayloadCheck<RequestOf<C>> {
  return (VALIDATORS[channel] as (payload: unknown) => PayloadCheck<RequestOf<C>>)(payload);
}
