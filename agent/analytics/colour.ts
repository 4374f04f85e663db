import { pixelBox } from '../detection/coords.js';
import { cropResizeToRgb, type I420Image } from '../detection/image/i420.js';
import type { PixelBox } from '../detection/types.js';

import { COLOUR_NAMES, type ColourName } from '../core/object-event.js';

export { COLOUR_NAMES, type ColourName };

/** Packed RGB (3 bytes a pixel), rows top to bottom. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * How bright and how colourful the scene is: the yardstick for "white" and "colourful". A hazy
 * or dusk camera compresses everything (a white car may be 140/255, a red one barely saturated), so
 * brightness and chroma are judged against the frame's own, not against fixed numbers.
 */
export interface SceneTone {
  /** Median brightness (HSV value, 0..255) of the frame. */
  medianValue: number;
  /** 90th percentile of chroma (max - min channel, 0..255) of the frame: how colourful the scene gets. */
  chromaP90: number;
}

/** A clear daylight scene, for callers without a frame at hand. */
export const DAYLIGHT: SceneTone = { medianValue: 120, chromaP90: 30 };

/** Fraction cut off each side of the crop before the histogram (road, shadow and background at the box edges). */
const INSET = 0.2;

/**
 * Thresholds, each relative to the scene (see SceneTone). One set for every clip; the shares were
 * set with the hand-labelled crops' statistics in view (test/fixtures/analytics/colours), so a new
 * clip's labelled crops are the honest check of them.
 */
const RULES = {
  /** A pixel has a hue worth naming when its chroma clearly exceeds what the scene's greys show. */
  chromaOverScene: 1.2,
  /** ...and at least this absolute chroma (sensor noise in a flat scene). */
  chromaMin: 14,
  /** ...and it is not so dark that its hue is noise. */
  darkOverScene: 0.35,
  /** The crop is coloured when this share of its pixels has a hue; otherwise it is black, grey or white. */
  colouredShare: 0.35,
  /** A pixel is light above this value relative to the scene median, dark below `dark`. */
  light: 1.4,
  dark: 0.7,
  /**
   * An uncoloured crop is white when this share of it is light: a white body still has dark windows,
   * tyres and shadow, but it fills most of the inner crop; silver has light glare on a mid-grey body.
   */
  whiteShare: 0.4,
  /** ...and black when this share is dark. Otherwise grey. */
  blackShare: 0.5,
  /** Red-magenta hues that are light and pale (saturation below this) are pink. */
  pinkSaturation: 0.35,
} as const;

/** Hue sectors in degrees (start inclusive), red wrapping round 0; brown is dark orange, pink pale light red. */
function hueName(h: number, saturation: number, rel: number): ColourName {
  const redHue = h >= 290 || h < 15;
  if (redHue) return rel > RULES.light && saturation < RULES.pinkSaturation ? 'pink' : 'red';
  if (h < 45) return rel < 1 ? 'brown' : 'orange';
  if (h < 70) return rel < RULES.dark ? 'brown' : 'yellow';
  if (h < 170) return 'green';
  if (h < 260) return 'blue';
  return 'purple';
}

/**
 * The dominant colour name of an object crop, from a histogram of its inner part, no model: each
 * pixel votes for a hue name (when its chroma stands out from the scene's) or for dark, mid or
 * light (its value relative to the scene's median). The crop is coloured when enough pixels have a
 * hue (car bodies have windows, tyres and glare), and then the most voted hue wins; otherwise it
 * is white when enough of it is light, black when enough is dark, else grey.
 */
export function dominantColour(img: RgbImage, scene: SceneTone = DAYLIGHT): ColourName {
  const x0 = Math.floor(img.width * INSET);
  const x1 = Math.max(x0 + 1, Math.ceil(img.width * (1 - INSET)));
  const y0 = Math.floor(img.height * INSET);
  const y1 = Math.max(y0 + 1, Math.ceil(img.height * (1 - INSET)));
  const refV = Math.max(1, scene.medianValue);
  const chromaMin = Math.max(RULES.chromaMin, RULES.chromaOverScene * scene.chromaP90);
  const hueVotes = new Map<ColourName, number>();
  let hued = 0;
  let light = 0;
  let dark = 0;
  let total = 0;
  for (let y = y0; y < y1 && y < img.height; y++) {
    for (let x = x0; x < x1 && x < img.width; x++) {
      const i = (y * img.width + x) * 3;
      const r = img.data[i];
      const g = img.data[i + 1];
      const b = img.data[i + 2];
      const max = Math.max(r, g, b);
      const chroma = max - Math.min(r, g, b);
      const rel = max / refV;
      total++;
      if (chroma >= chromaMin && rel >= RULES.darkOverScene) {
        const name = hueName(hue(r, g, b, max, chroma), chroma / max, rel);
        hueVotes.set(name, (hueVotes.get(name) ?? 0) + 1);
        hued++;
      }
      // Lightness is counted over every pixel: it decides when the crop turns out uncoloured.
      if (rel > RULES.light) light++;
      else if (rel < RULES.dark) dark++;
    }
  }
  if (total === 0) return 'grey';
  if (hued >= RULES.colouredShare * total) return argmax(hueVotes) ?? 'grey';
  if (light >= RULES.whiteShare * total && light >= dark) return 'white';
  return dark >= RULES.blackShare * total ? 'black' : 'grey';
}

/** The colour of `box` (detect-frame pixels) in an I420 frame, judged against the frame's own tone. */
export function dominantColourI420(frame: I420Image, box: PixelBox, scene: SceneTone = sceneTone(frame)): ColourName {
  // At most 64 px a side: enough pixels for a histogram, a fixed cost per object.
  const w = Math.max(1, Math.min(64, Math.round(box[2] - box[0])));
  const h = Math.max(1, Math.min(64, Math.round(box[3] - box[1])));
  return dominantColour({ width: w, height: h, data: cropResizeToRgb(frame, box, w, h) }, scene);
}

/** The scene's tone from a 64x36 thumbnail of the frame (cheap: ~2300 pixels). */
export function sceneTone(frame: I420Image): SceneTone {
  return sceneToneRgb({ width: 64, height: 36, data: cropResizeToRgb(frame, pixelBox(0, 0, frame.width, frame.height), 64, 36) });
}

export function sceneToneRgb(img: RgbImage): SceneTone {
  const values = new Uint32Array(256);
  const chromas = new Uint32Array(256);
  const n = img.width * img.height;
  for (let i = 0; i < n * 3; i += 3) {
    const max = Math.max(img.data[i], img.data[i + 1], img.data[i + 2]);
    values[max]++;
    chromas[max - Math.min(img.data[i], img.data[i + 1], img.data[i + 2])]++;
  }
  return { medianValue: quantile(values, n, 0.5), chromaP90: quantile(chromas, n, 0.9) };
}

function quantile(hist: Uint32Array, n: number, q: number): number {
  const target = q * n;
  let acc = 0;
  for (let v = 0; v < hist.length; v++) {
    acc += hist[v];
    if (acc >= target) return v;
  }
  return hist.length - 1;
}

/** HSV hue in degrees. */
function hue(r: number, g: number, b: number, max: number, chroma: number): number {
  let h: number;
  if (max === r) h = ((g - b) / chroma + 6) % 6;
  else if (max === g) h = (b - r) / chroma + 2;
  else h = (r - g) / chroma + 4;
  return h * 60;
}

function argmax(votes: Map<ColourName, number>): ColourName | undefined {
  let best: ColourName | undefined;
  let most = -1;
  for (const [name, n] of votes) if (n > most) [best, most] = [name, n];
  return best;
}
