import { AgentError } from '../../core/errors.js';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET']);

/**
 * Turns whatever the onvif package or the network threw into an AgentError a technician can act on.
 * The package reports SOAP faults as plain Errors ("ONVIF SOAP Fault: Sender not authorized"), so
 * the message is the only signal for authentication failures.
 */
export function classifyOnvifError(err: unknown, where: string): AgentError {
  if (err instanceof AgentError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  if ((code && UNREACHABLE_CODES.has(code)) || /network timeout|socket hang up/i.test(message)) {
    return new AgentError(
      'ONVIF_UNREACHABLE',
      `ONVIF device ${where} is unreachable (${code ?? message})`,
      'check the camera is powered and on the network, and the host/port (the ONVIF HTTP port, often 80, 8000 or 8080)',
      { cause: err },
    );
  }
  if (/not ?authori[sz]ed|unauthori[sz]ed|authentication failed|401|NotAuthorized/i.test(message)) {
    return new AgentError(
      'ONVIF_AUTH_FAILED',
      `ONVIF device ${where} refused the credentials (${message})`,
      'check the camera username/password; also check the gateway clock (WS-Security digests are time-stamped) and that the ONVIF user exists on the camera',
      { cause: err },
    );
  }
  return new AgentError('ONVIF_PROTOCOL', `ONVIF device ${where} answered unexpectedly: ${message}`, 'check that host:port is the camera\'s ONVIF service (not its web UI) and that ONVIF is enabled on the camera', { cause: err });
}
