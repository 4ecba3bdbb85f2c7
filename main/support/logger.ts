/**
 * The one logger. Secrets are redacted here, at the logger, so no call site can leak one by accident:
 * AWS secret keys and session tokens, IMDS and container tokens, SAML assertions, cookies, passwords.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type LogSink = (line: string) => void;

const SECRET_KEY = /secret|token|password|passwd|assertion|samlresponse|cookie|authorization|session[-_]?key|credential/i;
const REDACTED = '[redacted]';

// Values that are secret whatever field they stand in.
const SECRET_VALUE_PATTERNS: RegExp[] = [
  // SAMLResponse in a form body or query string
  /(SAMLResponse=)[^&\s]+/gi,
  /(SAMLAssertion=)[^&\s]+/gi,
  // Authorization / token / cookie headers written inline
  /((?:authorization|x-aws-ec2-metadata-token|cookie|set-cookie)\s*[:=]\s*)[^\s,;]+/gi,
  // aws_secret_access_key = … / aws_session_token = …
  /((?:aws_secret_access_key|aws_session_token|SecretAccessKey|SessionToken|Token)["']?\s*[:=]\s*["']?)[^"'\s,}]+/g,
];

/** Long base64 runs (assertions, session tokens) are never useful in a log line. */
const LONG_BASE64 = /[A-Za-z0-9+/=]{200,}/g;

export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_VALUE_PATTERNS) out = out.replace(pattern, `$1${REDACTED}`);
  return out.replace(LONG_BASE64, REDACTED);
}

export function redactFields(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((item) => redactFields(item, depth + 1));
  if (value instanceof Error) return redactText(value.message);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && key !== 'tokensRequired' ? REDACTED : redactFields(inner, depth + 1);
    }
    return out;
  }
  return value;
}

export const stderrSink: LogSink = (line) => process.stderr.write(`${line}\n`);

export function createLogger(options: { level?: LogLevel; sink?: LogSink; name?: string } = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const sink: LogSink = options.sink ?? stderrSink;
  const prefix = options.name ? `[${options.name}] ` : '';
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(redactFields(fields))}` : '';
    sink(`${new Date().toISOString()} ${level.toUpperCase()} ${prefix}${redactText(message)}${extra}`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** A logger that drops everything: the default for library code whose caller did not ask for logs. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
