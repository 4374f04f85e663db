/**
 * Text from the wire made safe for a terminal: control characters (ESC of terminal escape sequences,
 * CR that rewrites a line, C1 controls), line and paragraph separators and bidi overrides become
 * `\uXXXX`, so a publisher cannot fake, hide or recolour the lines an operator reads.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
