/**
 * `scheme://` then everything up to the LAST `@` of the same whitespace-free run: credentials written
 * into a URL by hand are often not percent-encoded, and a password holding `/`, `@` or `:` must not
 * end the match early (a URL parser takes `rtsp://u:p/w@host` for host "u"). When a path also holds
 * an `@` it is redacted too: too much hidden beats a password shown. A password with whitespace or
 * quotes cannot be told apart from the text around it: give such a one as `source.password`.
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s"'<>@]*(?:@[^\s"'<>@]*)*@/gi;

/** `rtsp://u:p@host/x` → `rtsp://[redacted]@host/x`, for every URL in a text (config values, log lines, messages). */
export function redactUrlCredentials(text: string): string {
  return text.includes('@') ? text.replace(URL_USERINFO, '$1[redacted]@') : text;
}

/** Plain objects and arrays with URL credentials redacted in every string; anything else (Errors, Buffers) as is. */
export function redactUrlsDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrlCredentials(value);
  if (depth > 6 || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactUrlsDeep(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactUrlsDeep(v, depth + 1);
  return out;
}
