/** Child script: closes the detector while inferences are in flight; exits 0 only if the process survives. */
import path from 'node:path';
import { DetectorService } from '../../../agent/detection/detector/detector-service.js';
import { decodeFrames } from '../../support/decode-frames.js';
import { REPO_ROOT, VIDEOS_DIR } from '../../support/tmp.js';
import { pixelBox } from '../../../agent/detection/coords.js';

void (async () => {
  const frames = await decodeFrames(path.join(VIDEOS_DIR, 'ozlu_vehicle_survaillance.mp4'), { width: 640, height: 360, fps: 5, maxFrames: 2 });
  for (let i = 0; i < 4; i++) {
    const d = await DetectorService.load({ manifestPath: path.join(REPO_ROOT, 'models/centernet.manifest.json'), threads: 2, queueSize: 8 });
    const jobs = frames.map((frame) => d.detect({ cameraId: 'a', frame, regions: [pixelBox(0, 0, 640, 640)] }).catch(() => 'closed'));
    await new Promise((r) => setTimeout(r, 3 + i * 11));
    await d.close();
    await Promise.all(jobs);
  }
  process.stdout.write('survived\n');
  process.exit(0);
})();
