import { AgentError } from '../core/errors.js';

/**
 * Topic scoping: the gateway publishes and subscribes only below its own root, so a bug or a
 * malicious request can never make it write into another gateway's (or the central side's) topics.
 */
export function assertRelativeTopic(topic: string): void {
  if (!topic || topic.startsWith('/') || topic.endsWith('/') || topic.includes('//') || /[+#\u0000]/.test(topic)) {
    throw new AgentError('UPLINK_TOPIC_INVALID', `topic "${topic}" is not a plain topic relative to the gateway root`, 'use a relative topic like "events" without wildcards or a leading "/"');
  }
  if (topic.split('/').some((level) => level === '..' || level === '.')) {
    throw new AgentError('UPLINK_TOPIC_OUTSIDE_ROOT', `topic "${topic}" tries to leave the gateway root`, 'publish only below <topicPrefix>/<gatewayId>/');
  }
}

export function assertRelativeFilter(filter: string): void {
  if (!filter || filter.startsWith('/') || filter.includes('//') || filter.includes('\u0000')) {
    throw new AgentError('UPLINK_TOPIC_INVALID', `topic filter "${filter}" is not relative to the gateway root`, 'use a relative filter like "request/#"');
  }
  const levels = filter.split('/');
  levels.forEach((level, i) => {
    if (level === '..' || level === '.') throw new AgentError('UPLINK_TOPIC_OUTSIDE_ROOT', `topic filter "${filter}" tries to leave the gateway root`, 'subscribe only below <topicPrefix>/<gatewayId>/');
    if ((level.includes('#') && (level !== '#' || i !== levels.length - 1)) || (level.includes('+') && level !== '+')) {
      throw new AgentError('UPLINK_TOPIC_INVALID', `topic filter "${filter}" uses a wildcard wrongly`, '"+" must fill a whole level and "#" must be the last level');
    }
  });
}

/** Response topics named by a requester (MQTT 5): any plain topic, never a wildcard. */
export function assertAbsoluteTopic(topic: string): void {
  if (!topic || /[+#\u0000]/.test(topic) || topic.startsWith('$')) {
    throw new AgentError('UPLINK_TOPIC_INVALID', `response topic "${topic}" is not a plain topic`, 'the requester must name a response topic without wildcards');
  }
}

/** MQTT topic filter matching (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
