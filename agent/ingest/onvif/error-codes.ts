import type { ErrorTable } from '../../core/error-table.js';

/** Codes of ONVIF resolution and discovery (agent/ingest/onvif/, docs/onvif.md). */
export const OnvifErrorCodes = {
  ONVIF_UNREACHABLE: {
    summary: 'connection refused, host/network unreachable, DNS failure, no answer within the deadline',
    remedy: 'check power, network, host and the ONVIF port (often 80, 8000, 8080)',
  },
  ONVIF_AUTH_FAILED: {
    summary: 'the device answered `NotAuthorized`/401 (wrong or missing credentials)',
    remedy: 'check username/password, the gateway clock (digests are time-stamped) and that the ONVIF user exists',
  },
  ONVIF_NO_PROFILE: {
    summary: 'the device has no media profile, or none matching `source.profile` (message lists those it has)',
    remedy: 'pick one of the listed tokens',
  },
  ONVIF_NO_STREAM_URI: {
    summary: 'GetStreamUri gave no `rtsp://` URI',
    remedy: 'enable RTSP on the camera or configure it as an `rtsp` camera',
  },
  ONVIF_PROTOCOL: {
    summary: 'anything else the device answered (not an ONVIF service, SOAP fault)',
    remedy: 'check host:port is the ONVIF service, not the web UI',
  },
  ONVIF: {
    summary: 'discovery (`edge-agent discover`) or the `diag` ONVIF check could not query a device for a reason without its own code (`ONVIF_<errno>` when the network named one)',
    remedy: 'the message says why; check the camera\'s ONVIF settings',
  },
} as const satisfies ErrorTable;
