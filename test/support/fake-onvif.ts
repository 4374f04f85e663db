/**
 * A fake ONVIF camera for tests (the VM has none): an HTTP SOAP device service answering the calls
 * the `onvif` package's Cam.connect() makes (GetSystemDateAndTime, GetServices/GetCapabilities,
 * GetProfiles, GetVideoSources) plus GetDeviceInformation and GetStreamUri, checking the
 * WS-Security UsernameToken digest like a real device; and a UDP WS-Discovery responder answering
 * unicast Probes with ProbeMatches. Listens on 127.0.0.1 only; never joins a multicast group.
 */
import { createHash, randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOnvifOptions {
  username: string;
  password: string;
  /** What GetStreamUri answers, e.g. rtsp://127.0.0.1:8554/cam */
  rtspUrl: string;
  name?: string;
  /** Profile tokens offered; the first is the main stream. */
  profiles?: string[];
  /** Video source the profiles bind (VideoSource_1, the only one, by default): a misconfigured camera binds none. */
  profileSourceToken?: string;
  /** An old (pre-2.x) device: no GetServices, only GetCapabilities. */
  legacy?: boolean;
}

const SOAP_ENV = 'http://www.w3.org/2003/05/soap-envelope';
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

function envelope(body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${SOAP_ENV}" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"` +
    ' xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"' +
    ' xmlns:ter="http://www.onvif.org/ver10/error"><env:Body>' +
    body +
    '</env:Body></env:Envelope>'
  );
}

function fault(subcode: string, reason: string): string {
  return envelope(
    `<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>${subcode}</env:Value></env:Subcode></env:Code>` +
      `<env:Reason><env:Text xml:lang="en">${reason}</env:Text></env:Reason></env:Fault>`,
  );
}

function text(xml: string, local: string): string | undefined {
  return new RegExp(`<(?:[\\w-]+:)?${local}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${local}>`).exec(xml)?.[1].trim();
}

export class FakeOnvifDevice {
  httpPort = 0;
  discoveryPort = 0;
  readonly endpoint = `urn:uuid:${randomUUID()}`;
  /** Actions received, in order, with whether they were authenticated. */
  readonly requests: { action: string; auth: 'none' | 'ok' | 'bad' }[] = [];
  private server?: http.Server;
  private udp?: dgram.Socket;
  private readonly profiles: string[];

  constructor(private readonly opts: FakeOnvifOptions) {
    this.profiles = opts.profiles ?? ['main', 'sub'];
  }

  get xaddr(): string {
    return `http://127.0.0.1:${this.httpPort}/onvif/device_service`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        const { status, xml } = this.handle(body);
        res.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
        res.end(xml);
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.httpPort = (this.server.address() as AddressInfo).port;

    const udp = dgram.createSocket('udp4');
    this.udp = udp;
    udp.on('message', (msg, rinfo) => {
      const reply = this.probeMatches(msg.toString('utf8'));
      if (reply) udp.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    this.discoveryPort = udp.address().port;
    return this;
  }

  async stop(): Promise<void> {
    this.udp?.close();
    this.udp = undefined;
    const srv = this.server;
    this.server = undefined;
    if (srv) {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  }

  /** WS-Security UsernameToken with PasswordDigest = base64(sha1(nonce + created + password)). */
  private authenticate(xml: string): 'none' | 'ok' | 'bad' {
    const token = text(xml, 'UsernameToken');
    if (!token) return 'none';
    const username = text(token, 'Username');
    const digest = text(token, 'Password');
    const nonce = text(token, 'Nonce');
    const created = text(token, 'Created');
    if (!username || !digest || !nonce || !created) return 'bad';
    const expected = createHash('sha1')
      .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created, 'ascii'), Buffer.from(this.opts.password, 'ascii')]))
      .digest('base64');
    const fresh = Math.abs(Date.parse(created) - Date.now()) < MAX_CLOCK_SKEW_MS;
    return username === this.opts.username && digest === expected && fresh ? 'ok' : 'bad';
  }

  private handle(xml: string): { status: number; xml: string } {
    const action = /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?(\w+)/.exec(xml)?.[1] ?? 'unknown';
    const auth = this.authenticate(xml);
    this.requests.push({ action, auth });
    // As on real devices, the clock is readable without credentials (clients need it for the digest).
    if (action !== 'GetSystemDateAndTime' && auth !== 'ok') return { status: 400, xml: fault('ter:NotAuthorized', 'Sender not Authorized') };
    const base = `http://127.0.0.1:${this.httpPort}`;
    switch (action) {
      case 'GetSystemDateAndTime': {
        const d = new Date();
        return {
          status: 200,
          xml: envelope(
            '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>' +
              `<tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
              `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime>` +
              '</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>',
          ),
        };
      }
      case 'GetServices':
        if (this.opts.legacy) return { status: 400, xml: fault('ter:ActionNotSupported', 'GetServices is not supported') };
        return {
          status: 200,
          xml: envelope(
            '<tds:GetServicesResponse>' +
              `<tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>${base}/onvif/device_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
              `<tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>${base}/onvif/media_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
              '</tds:GetServicesResponse>',
          ),
        };
      case 'GetCapabilities':
        return {
          status: 200,
          xml: envelope(
            `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${base}/onvif/device_service</tt:XAddr></tt:Device>` +
              `<tt:Media><tt:XAddr>${base}/onvif/media_service</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>`,
          ),
        };
      case 'GetDeviceInformation':
        return {
          status: 200,
          xml: envelope(
            '<tds:GetDeviceInformationResponse><tds:Manufacturer>FakeCam</tds:Manufacturer><tds:Model>FC-1</tds:Model>' +
              '<tds:FirmwareVersion>1.0.0</tds:FirmwareVersion><tds:SerialNumber>FC0001</tds:SerialNumber><tds:HardwareId>fc1</tds:HardwareId></tds:GetDeviceInformationResponse>',
          ),
        };
      case 'GetVideoSources':
        return {
          status: 200,
          xml: envelope(
            '<trt:GetVideoSourcesResponse><trt:VideoSources token="VideoSource_1"><tt:Framerate>25</tt:Framerate>' +
              '<tt:Resolution><tt:Width>1280</tt:Width><tt:Height>720</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>',
          ),
        };
      case 'GetProfiles':
        return { status: 200, xml: envelope(`<trt:GetProfilesResponse>${this.profiles.map((t, i) => this.profileXml(t, i)).join('')}</trt:GetProfilesResponse>`) };
      case 'GetStreamUri': {
        const token = text(xml, 'ProfileToken');
        if (!token || !this.profiles.includes(token)) return { status: 400, xml: fault('ter:NoProfile', `no profile ${token ?? ''}`) };
        const uri = token === this.profiles[0] ? this.opts.rtspUrl : `${this.opts.rtspUrl}_${token}`;
        return {
          status: 200,
          xml: envelope(
            `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${uri}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
              '<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>',
          ),
        };
      }
      default:
        return { status: 400, xml: fault('ter:ActionNotSupported', `${action} is not supported`) };
    }
  }

  private profileXml(token: string, i: number): string {
    const [w, h] = i === 0 ? [1280, 720] : [640, 360];
    return (
      `<trt:Profiles token="${token}" fixed="true"><tt:Name>${token}</tt:Name>` +
      `<tt:VideoSourceConfiguration token="VideoSourceConfig_1"><tt:Name>vsc</tt:Name><tt:UseCount>2</tt:UseCount><tt:SourceToken>${this.opts.profileSourceToken ?? 'VideoSource_1'}</tt:SourceToken>` +
      '<tt:Bounds x="0" y="0" width="1280" height="720"/></tt:VideoSourceConfiguration>' +
      `<tt:VideoEncoderConfiguration token="enc_${token}"><tt:Name>enc_${token}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>` +
      `<tt:Resolution><tt:Width>${w}</tt:Width><tt:Height>${h}</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality>` +
      '<tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl>' +
      '</tt:VideoEncoderConfiguration></trt:Profiles>'
    );
  }

  /** Answers a WS-Discovery Probe for NetworkVideoTransmitter (or any type) with one ProbeMatch. */
  private probeMatches(xml: string): Buffer | undefined {
    if (!/Probe\b/.test(xml) || /ProbeMatches/.test(xml)) return undefined;
    const types = text(xml, 'Types') ?? '';
    if (types && !/NetworkVideoTransmitter/.test(types)) return undefined;
    const relatesTo = text(xml, 'MessageID') ?? '';
    const name = encodeURIComponent(this.opts.name ?? 'Fake Camera');
    return Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP_ENV}" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"` +
        ' xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
        `<SOAP-ENV:Header><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${relatesTo}</wsa:RelatesTo>` +
        '<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>' +
        '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>' +
        '<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>' +
        `<wsa:EndpointReference><wsa:Address>${this.endpoint}</wsa:Address></wsa:EndpointReference>` +
        '<d:Types>dn:NetworkVideoTransmitter</d:Types>' +
        `<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/${name} onvif://www.onvif.org/hardware/FC-1</d:Scopes>` +
        `<d:XAddrs>${this.xaddr}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>` +
        '</d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>',
    );
  }
}
