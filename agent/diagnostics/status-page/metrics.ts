import type { AgentStatus } from './types.js';

type Sample = [labels: Record<string, string>, value: number];

/** `/metrics` in the Prometheus text exposition format, for fleets that already scrape their boxes. */
export function renderMetrics(s: AgentStatus): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: Sample[]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',');
      out.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 'NaN'}`);
    }
  };
  const cams = (f: (c: AgentStatus['cameras'][number]) => number): Sample[] => s.cameras.map((c) => [{ camera: c.id }, f(c)]);
  metric('edge_agent_up', 'gauge', 'The agent is running.', [[{ gateway: s.gatewayId, version: s.version }, 1]]);
  metric('edge_agent_uptime_seconds', 'gauge', 'Seconds since the agent started.', [[{}, s.uptimeS]]);
  metric('edge_uplink_connected', 'gauge', '1 while the MQTT uplink is connected.', [[{}, s.uplink.connected ? 1 : 0]]);
  metric('edge_camera_streaming', 'gauge', '1 while the camera is streaming.', cams((c) => (c.state === 'streaming' ? 1 : 0)));
  metric('edge_camera_fps_in', 'gauge', 'Frames per second received from the camera.', cams((c) => c.fpsIn));
  metric('edge_camera_fps_processed', 'gauge', 'Frames per second through detection.', cams((c) => c.detectFps ?? 0));
  metric('edge_camera_dropped_frames_total', 'counter', 'Frames dropped before detection.', cams((c) => c.dropped));
  metric('edge_camera_skipped_frames_total', 'counter', 'Frames the detection stage skipped (detector behind).', cams((c) => c.skipped ?? 0));
  metric('edge_camera_reconnects_total', 'counter', 'Reconnections to the camera.', cams((c) => c.reconnects));
  metric('edge_camera_segment_rename_failures_total', 'counter', 'Closed recording segments that could not get their final name.', cams((c) => c.segmentRenameFailures));
  metric('edge_camera_last_frame_age_seconds', 'gauge', 'Age of the newest frame.', cams((c) => (c.lastFrameAgeMs ?? Number.NaN) / 1000));
  if (s.detector) {
    metric('edge_detector_inference_ms', 'gauge', 'Detector inference time.', [
      [{ quantile: '0.5' }, s.detector.inferenceMsP50 ?? Number.NaN],
      [{ quantile: '0.95' }, s.detector.inferenceMsP95 ?? Number.NaN],
    ]);
    metric('edge_detector_queue_depth', 'gauge', 'Detector jobs waiting.', [[{}, s.detector.queueDepth]]);
    metric('edge_detector_dropped_total', 'counter', 'Detector jobs dropped because it fell behind.', [[{}, s.detector.dropped]]);
  }
  if (s.capacity) {
    metric('edge_detector_capacity_cameras', 'gauge', 'Cameras the detector carries in busy scenes (last diag run).', [[{ model: s.capacity.model.file }, s.capacity.camerasCarried]]);
    metric('edge_detector_busy_load_percent', 'gauge', 'Share of the detector the configured cameras need in busy scenes (last diag run).', [[{}, s.capacity.busyLoadPercent]]);
  }
  if (s.outbox) {
    metric('edge_outbox_pending', 'gauge', 'Messages waiting in the outbox.', [[{}, s.outbox.pending]]);
    metric('edge_outbox_bytes', 'gauge', 'Bytes waiting in the outbox.', [[{}, s.outbox.bytes]]);
    metric('edge_outbox_oldest_age_seconds', 'gauge', 'Age of the oldest waiting message.', [[{}, s.outbox.oldestAgeS]]);
    metric('edge_outbox_evicted_total', 'counter', 'Messages evicted by the outbox quota.', Object.entries(s.outbox.evicted).map(([kind, n]) => [{ kind }, n]));
    metric('edge_outbox_write_failures_total', 'counter', 'Writes the outbox could not commit (full or failing data disk).', [[{}, s.outbox.writeFailures]]);
    metric('edge_outbox_writable', 'gauge', '0 while the outbox refuses writes (after a failed write, until its database is reopened).', [[{}, s.outbox.writable ? 1 : 0]]);
  }
  return out.join('\n') + '\n';
}
