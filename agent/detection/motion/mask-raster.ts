import type { Polygon } from '../../config/schema/common.js';

/**
 * Rasterises motion-mask polygons (0..1 frame coordinates) onto the w x h motion grid: 1 where a
 * cell's centre lies inside any polygon (even-odd rule), else 0. Done once per detector.
 */
export function rasterizeMasks(masks: Polygon[], w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (const poly of masks) {
    for (let y = 0; y < h; y++) {
      const py = (y + 0.5) / h;
      for (let x = 0; x < w; x++) {
        if (insidePolygon(poly, (x + 0.5) / w, py)) out[y * w + x] = 1;
      }
    }
  }
  return out;
}

function insidePolygon(poly: Polygon, px: number, py: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
