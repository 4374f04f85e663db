import assert from 'node:assert/strict';
import { AreaDownscaler } from '../../../agent/detection/motion/area-downscaler.js';
import { ConnectedRegions } from '../../../agent/detection/motion/connected-regions.js';
import { Dilate } from '../../../agent/detection/motion/dilate.js';
import { GaussianBlur } from '../../../agent/detection/motion/gaussian-blur.js';
import { TemporalMedian } from '../../../agent/detection/motion/temporal-median.js';

/** Deterministic pseudo-random bytes. */
function noise(n: number, seed: number, density = 256): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = density === 256 ? s >> 23 : (s >> 16) % density === 0 ? 1 : 0;
  }
  return out;
}

describe('motion building blocks against naive references', function () {
  it('area downscale: word path, byte path (odd width, unaligned buffer) and a naive average agree', function () {
    for (const [w, h, ow, oh] of [[640, 360, 178, 100], [626, 360, 174, 100], [320, 240, 133, 100], [64, 64, 64, 64]]) {
      const plane = noise(w * h, w + h);
      const ds = new AreaDownscaler(w, h, ow, oh);
      const aligned = new Uint8Array(ow * oh);
      ds.downscale(plane, aligned);
      const shifted = Buffer.alloc(w * h + 1);
      shifted.set(plane, 1);
      const unaligned = new Uint8Array(ow * oh);
      ds.downscale(shifted.subarray(1), unaligned);
      assert.deepEqual(unaligned, aligned, `${w}x${h}: unaligned`);
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = 0;
          let n = 0;
          for (let y = ds.yEdges[oy]; y < ds.yEdges[oy + 1]; y++) for (let x = ds.xEdges[ox]; x < ds.xEdges[ox + 1]; x++, n++) s += plane[y * w + x];
          assert.equal(aligned[oy * ow + ox], Math.round(s / n), `${w}x${h} cell ${ox},${oy}`);
        }
      }
    }
  });

  it('dilate by n equals n successive 3x3 dilations', function () {
    const w = 37;
    const h = 23;
    for (const n of [1, 2, 3]) {
      const src = noise(w * h, n, 40);
      const out = new Uint8Array(w * h);
      new Dilate(w, h, n).apply(src, out);
      let ref = src;
      for (let k = 0; k < n; k++) {
        const next = new Uint8Array(w * h);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w && ref[yy * w + xx]) next[y * w + x] = 1;
          }
        }
        ref = next;
      }
      assert.deepEqual(out, ref, `n=${n}`);
    }
  });

  it('connected regions are 8-connected, with exact areas, core areas and boxes', function () {
    const w = 8;
    const h = 5;
    // Two regions: a diagonal (8-connected) and a separate block; core marks some of their pixels.
    const rows = ['10000000', '01000110', '00100110', '00000000', '00000001'];
    const plane = Uint8Array.from(rows.join(''), (c) => Number(c));
    const core = Uint8Array.from('10000000' + '00000100' + '00100000' + '00000000' + '00000001', (c) => Number(c));
    const cr = new ConnectedRegions(w, h);
    cr.find(plane, core);
    assert.equal(cr.count, 3);
    assert.deepEqual([...cr.areas.subarray(0, 3)], [3, 4, 1]);
    assert.deepEqual([...cr.coreAreas.subarray(0, 3)], [2, 1, 1]);
    assert.deepEqual([...cr.boxes.subarray(0, 12)], [0, 0, 2, 2, 5, 1, 6, 2, 7, 4, 7, 4]);
  });

  it('blur keeps a flat image flat and matches the separable reference', function () {
    const w = 30;
    const h = 20;
    const flat = new Uint8Array(w * h).fill(77);
    const out = new Uint8Array(w * h);
    for (const r of [1, 2]) {
      const blur = new GaussianBlur(w, h, r);
      blur.apply(flat, out);
      assert.ok(out.every((v) => v === 77), `radius ${r} flat`);
      const src = noise(w * h, 3 + r);
      blur.apply(src, out);
      const taps = blur.taps;
      const mirror = (q: number, n: number): number => (q < 0 ? -q - 1 : q >= n ? 2 * n - q - 1 : q);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        let s = 0;
        for (let ty = -r; ty <= r; ty++) {
          let row = 0;
          for (let tx = -r; tx <= r; tx++) row += taps[tx + r] * src[mirror(y + ty, h) * w + mirror(x + tx, w)];
          s += taps[ty + r] * row;
        }
        assert.equal(out[y * w + x], (s + 32768) >>> 16, `radius ${r} at ${x},${y}`);
      }
    }
  });

  it('temporal median drops what covers a pixel in fewer than half the frames', function () {
    const tm = new TemporalMedian(3, 6);
    for (const frame of [[10, 50, 0], [10, 50, 255], [200, 50, 0], [10, 60, 255], [10, 40, 0]]) tm.add(Uint8Array.from(frame));
    const out = new Float32Array(3);
    tm.medianInto(out);
    assert.deepEqual([...out], [10, 50, 0]);
  });
});
