import { createHash } from 'node:crypto';
import jpeg from 'jpeg-js';

/**
 * Image bytes for the emulator: sample photos, and the JPEG thumbnails Dropbox makes of them
 * (decoded, scaled to fit the requested box, encoded again).
 */

/** A diagonal gradient photo, as JPEG bytes. */
export function gradientJpeg(width: number, height: number, from: [number, number, number], to: [number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const t = (x + y) / (width + height - 2);
      const offset = (y * width + x) * 4;
      for (let channel = 0; channel < 3; channel += 1) data[offset + channel] = Math.round(from[channel] + (to[channel] - from[channel]) * t);
      data[offset + 3] = 255;
    }
  }
  return jpeg.encode({ data, width, height }, 85).data;
}

/** `w256h256` into a box; undefined when Dropbox would not know the size. */
export function thumbnailBox(size: string): { width: number; height: number } | undefined {
  const match = /^w(\d+)h(\d+)$/.exec(size);
  const allowed = ['w32h32', 'w64h64', 'w128h128', 'w256h256', 'w480h320', 'w640h480', 'w960h640', 'w1024h768', 'w2048h1536'];
  return match && allowed.includes(size) ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

/** A baseline or progressive JPEG's size from its frame header (SOF0-SOF2), without decoding it. */
function jpegFrameSize(source: Buffer): { width: number; height: number } | undefined {
  if (source.length < 4 || source[0] !== 0xff || source[1] !== 0xd8) return undefined;
  for (let offset = 2; offset + 9 < source.length;) {
    if (source[offset] !== 0xff) return undefined;
    const marker = source[offset + 1];
    if (marker >= 0xc0 && marker <= 0xc2) return { height: source.readUInt16BE(offset + 5), width: source.readUInt16BE(offset + 7) };
    offset += 2 + source.readUInt16BE(offset + 2);
  }
  return undefined;
}

/**
 * A JPEG thumbnail that fits in the box (never enlarged), or undefined if the bytes are not a
 * JPEG. A photo that already fits is its own thumbnail: re-encoding a 1024-pixel photo for the
 * viewer's w2048h1536 cost seconds on a busy machine and changes nothing a client can rely on.
 */
export function jpegThumbnail(source: Buffer, box: { width: number; height: number }): Buffer | undefined {
  const size = jpegFrameSize(source);
  if (size && size.width <= box.width && size.height <= box.height) return source;
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = jpeg.decode(source, { useTArray: true, maxMemoryUsageInMB: 64 });
  } catch {
    return undefined;
  }
  const scale = Math.min(1, box.width / image.width, box.height / image.height);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const from = (Math.min(image.height - 1, Math.floor(y / scale)) * image.width + Math.min(image.width - 1, Math.floor(x / scale))) * 4;
      data.set(image.data.subarray(from, from + 4), (y * width + x) * 4);
    }
  }
  return jpeg.encode({ data, width, height }, 80).data;
}

/** The width and height of a JPEG, or undefined when the bytes are not one (tests check thumbnails with it). */
export function jpegDimensions(bytes: Buffer): { width: number; height: number } | undefined {
  try {
    const { width, height } = jpeg.decode(bytes, { useTArray: true, maxMemoryUsageInMB: 64 });
    return { width, height };
  } catch {
    return undefined;
  }
}

/**
 * A stand-in picture for a virtual photo (one with a size and no bytes): a gradient whose
 * colours come from the file's id, 4:3 and fitted into the box, so that a folder of generated
 * photos shows distinct, stable thumbnails without keeping any image.
 */
export function placeholderPhoto(seed: string, box: { width: number; height: number }): Buffer {
  const digest = createHash('sha256').update(seed).digest();
  const scale = Math.min(box.width / 4, box.height / 3);
  const width = Math.max(1, Math.round(4 * scale));
  const height = Math.max(1, Math.round(3 * scale));
  return gradientJpeg(width, height, [digest[0], digest[1], digest[2]], [digest[3], digest[4], digest[5]]);
}
