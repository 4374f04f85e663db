/** The gateway topics the receiver consumes, relative to `<prefix>/<gatewayId>/`. */
export type ReceivedTopic =
  | { kind: 'event'; gateway: string }
  | { kind: 'status'; gateway: string }
  | { kind: 'clip-meta'; gateway: string; clipId: string }
  | { kind: 'clip-chunk'; gateway: string; clipId: string; index: number };

export function subscriptions(prefix: string, gateway: string): string[] {
  const root = `${prefix}/${gateway}`;
  return [`${root}/status`, `${root}/events`, `${root}/clips/+/meta`, `${root}/clips/+/chunk/+`];
}

/** Parses an absolute topic under `prefix` (which may itself hold levels); null for anything else. */
export function parseTopic(prefix: string, topic: string): ReceivedTopic | null {
  if (!topic.startsWith(`${prefix}/`)) return null;
  const parts = topic.slice(prefix.length + 1).split('/');
  const [gateway, what, clipId, sub, n] = parts;
  if (!gateway) return null;
  if (parts.length === 2 && what === 'events') return { kind: 'event', gateway };
  if (parts.length === 2 && what === 'status') return { kind: 'status', gateway };
  if (what !== 'clips' || !clipId || !isSafeName(clipId)) return null;
  if (parts.length === 4 && sub === 'meta') return { kind: 'clip-meta', gateway, clipId };
  if (parts.length === 5 && sub === 'chunk' && /^\d{1,9}$/.test(n)) return { kind: 'clip-chunk', gateway, clipId, index: Number(n) };
  return null;
}

/** Ids become file names: refuse anything that could climb out of the output folder. */
export function isSafeName(s: string): boolean {
  return /^[A-Za-z0-9._-]{1,128}$/.test(s) && !s.startsWith('.');
}
