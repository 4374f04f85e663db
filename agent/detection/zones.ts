import type { Polygon } from '../config/schema/index.js';
import { bottomCentre } from './geometry.js';
import type { Box } from '../core/object-event.js';

/** A camera's named zone: a polygon (0..1 of the frame in config; the tracker's copy in pixels), optionally counting only some labels. */
export interface ZoneSpec {
  name: string;
  polygon: Polygon;
  labels?: string[];
}

/** A zone's or line's optional label list covers this label: no list, or an empty one, covers every label. */
export function coversLabel(labels: readonly string[] | undefined, label: string): boolean {
  return !labels || labels.length === 0 || labels.includes(label);
}

/** Even-odd ray casting; points exactly on an edge may fall either way, which is fine for boxes. */
export function pointInPolygon(p: readonly [number, number], polygon: readonly (readonly [number, number])[]): boolean {
  const [x, y] = p;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The object's ground point (box bottom-centre) lies in one of the polygons: used for object masks. */
export function inAnyPolygon(box: Box, polygons: readonly Polygon[]): boolean {
  const p = bottomCentre(box);
  return polygons.some((poly) => pointInPolygon(p, poly));
}

/**
 * Names of the zones an object with this label and box is in now, in config order. An object is in
 * a zone when its ground point (box bottom-centre) is inside the polygon — the same rule as object
 * masks, so a tall person standing at a zone's edge counts where their feet are.
 */
export function zonesAt(box: Box, label: string, zones: readonly ZoneSpec[]): string[] {
  const p = bottomCentre(box);
  const out: string[] = [];
  for (const z of zones) {
    if (!coversLabel(z.labels, label)) continue;
    if (pointInPolygon(p, z.polygon)) out.push(z.name);
  }
  return out;
}
