import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * The gateway id when the config names none: the board serial (Pi, Jetson: device tree), else the
 * systemd machine id, else the host name — stable across reboots and reflashes of the data volume.
 */
export function deriveGatewayId(): string {
  const candidates = ['/sys/firmware/devicetree/base/serial-number', '/proc/device-tree/serial-number', '/etc/machine-id', '/var/lib/dbus/machine-id'];
  for (const file of candidates) {
    try {
      const v = readFileSync(file, 'utf8').replace(/\0/g, '').trim();
      if (v) return `gw-${v.replace(/[^A-Za-z0-9]/g, '').slice(-12).toLowerCase()}`;
    } catch { /* next */ }
  }
  return `gw-${os.hostname().replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'unknown'}`;
}
