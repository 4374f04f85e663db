/**
 * WS-Discovery Probe for ONVIF NetworkVideoTransmitters over UDP. The onvif package's Discovery is
 * hard-wired to the multicast group, so the agent sends the same Probe itself: to the multicast group
 * on a box, or unicast to one host (`--probe HOST[:PORT]`, and in tests: they never send multicast).
 */
import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';

export const WS_DISCOVERY_PORT = 3702;
export const WS_DISCOVERY_MULTICAST = '239.255.255.250';

export interface ProbeMatch {
  /** Endpoint reference address (urn:uuid:...): the device's stable identity. */
  endpoint: string;
  xaddrs: string[];
  scopes: string[];
  types: string[];
  /** Where the answer came from. */
  from: { address: string; port: number };
}

export function buildProbe(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"' +
    ' xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    '<s:Header>' +
    `<a:MessageID>${messageId}</a:MessageID>` +
    '<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>' +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>' +
    '</s:Header>' +
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body>' +
    '</s:Envelope>'
  );
}

/** Text of every element with this local name, whatever namespace prefix the device chose. */
function elementTexts(xml: string, localName: string): string[] {
  const re = new RegExp(`<(?:[\\w.-]+:)?${localName}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${localName}>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1].trim());
}

function words(list: string[]): string[] {
  return list.flatMap((s) => s.split(/\s+/)).filter(Boolean);
}

/**
 * Parses one ProbeMatches datagram; undefined when it is not an answer to our probe. WS-Discovery
 * messages are small and fixed in shape, so the handful of fields are read directly rather than
 * through a full SOAP stack.
 */
export function parseProbeMatches(xml: string, messageId: string, from: { address: string; port: number }): ProbeMatch[] | undefined {
  if (!/ProbeMatches/.test(xml)) return undefined;
  const relatesTo = elementTexts(xml, 'RelatesTo')[0];
  if (relatesTo !== undefined && relatesTo !== messageId) return undefined;
  return elementTexts(xml, 'ProbeMatch').map((match) => ({
    endpoint: elementTexts(match, 'Address')[0] ?? '',
    xaddrs: words(elementTexts(match, 'XAddrs')),
    scopes: words(elementTexts(match, 'Scopes')),
    types: words(elementTexts(match, 'Types')),
    from,
  }));
}

export interface ProbeOptions {
  /** Unicast targets (`host` or `host:port`); when empty, the multicast group. */
  targets?: string[];
  timeoutMs: number;
}

export function parseTarget(target: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(target.trim());
  if (!m) throw new Error(`bad probe target "${target}"`);
  return { host: m[1], port: m[2] ? Number(m[2]) : WS_DISCOVERY_PORT };
}

/** Sends one Probe and collects distinct ProbeMatches (by endpoint) until the timeout. */
export function probe(opts: ProbeOptions): Promise<ProbeMatch[]> {
  const messageId = `urn:uuid:${randomUUID()}`;
  const request = Buffer.from(buildProbe(messageId));
  const targets = opts.targets?.length ? opts.targets.map(parseTarget) : [{ host: WS_DISCOVERY_MULTICAST, port: WS_DISCOVERY_PORT }];
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const found = new Map<string, ProbeMatch>();
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve([...found.values()]);
    };
    socket.on('error', finish);
    socket.on('message', (msg, rinfo) => {
      for (const m of parseProbeMatches(msg.toString('utf8'), messageId, { address: rinfo.address, port: rinfo.port }) ?? []) {
        const key = m.endpoint || m.xaddrs.join(' ');
        if (!found.has(key)) found.set(key, m);
      }
    });
    socket.bind(0, () => {
      for (const t of targets) socket.send(request, t.port, t.host);
      timer = setTimeout(() => finish(), opts.timeoutMs);
    });
  });
}
