import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The technician's password, accepted as HTTP Basic (any user name: browsers prompt for it) or as
 * `Authorization: Bearer <password>` for tools. Compared in constant time. There is no default:
 * the config refuses an enabled status page without a password.
 */
export function isAuthorised(req: IncomingMessage, password: string): boolean {
  const header = req.headers.authorization ?? '';
  let given: string | undefined;
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    given = colon >= 0 ? decoded.slice(colon + 1) : undefined;
  } else if (header.startsWith('Bearer ')) {
    given = header.slice(7);
  }
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(password);
  return a.length === b.length && timingSafeEqual(a, b);
}
