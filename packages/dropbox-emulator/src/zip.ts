import { crc32 } from 'node:zlib';

/**
 * A zip archive written as it is read: each entry stored (not compressed), its CRC-32 and size
 * in a data descriptor after its bytes, so that nothing needs to be known, or held, before the
 * bytes go out. files/download_zip streams a folder through it, and the sample .docx and .xlsx
 * files are built with it. Plain zip, not ZIP64: entries and the archive stay under 4 GiB,
 * which is also Dropbox's limit for a file in a zip (the emulator refuses bigger ones).
 */

export interface ZipEntry {
  /** `Folder/sub/name.txt`; a folder's name ends in `/`. */
  name: string;
  modified: Date;
  /** A file's bytes, in pieces; none for a folder. */
  chunks?: Iterable<Buffer>;
}

export const ZIP_MAX_BYTES = 0xffff_ffff;

const UTF8_NAMES = 0x0800;
const DATA_DESCRIPTOR = 0x0008;
const VERSION = 20;

/** MS-DOS time and date, as zip headers hold them (local time is not known: UTC). */
function dosTimeDate(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

interface Written {
  name: Buffer;
  flags: number;
  time: number;
  date: number;
  crc: number;
  size: number;
  offset: number;
  folder: boolean;
}

function localHeader(entry: Written): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(VERSION, 4);
  header.writeUInt16LE(entry.flags, 6);
  header.writeUInt16LE(0, 8);
  header.writeUInt16LE(entry.time, 10);
  header.writeUInt16LE(entry.date, 12);
  // CRC and sizes are zero here: the data descriptor after the bytes carries them.
  header.writeUInt16LE(entry.name.length, 26);
  return Buffer.concat([header, entry.name]);
}

function dataDescriptor(entry: Written): Buffer {
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(entry.crc, 4);
  descriptor.writeUInt32LE(entry.size, 8);
  descriptor.writeUInt32LE(entry.size, 12);
  return descriptor;
}

function centralHeader(entry: Written): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(VERSION, 4);
  header.writeUInt16LE(VERSION, 6);
  header.writeUInt16LE(entry.flags, 8);
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(entry.time, 12);
  header.writeUInt16LE(entry.date, 14);
  header.writeUInt32LE(entry.crc, 16);
  header.writeUInt32LE(entry.size, 20);
  header.writeUInt32LE(entry.size, 24);
  header.writeUInt16LE(entry.name.length, 28);
  // MS-DOS directory attribute for folders.
  header.writeUInt32LE(entry.folder ? 0x10 : 0, 38);
  header.writeUInt32LE(entry.offset, 42);
  return Buffer.concat([header, entry.name]);
}

/** The archive's bytes, piece by piece; reading them one at a time keeps one piece in memory. */
export function* zipStream(entries: Iterable<ZipEntry>): Generator<Buffer> {
  const written: Written[] = [];
  let offset = 0;
  const out = function* (piece: Buffer) {
    offset += piece.length;
    yield piece;
  };
  for (const entry of entries) {
    const folder = entry.name.endsWith('/');
    const { time, date } = dosTimeDate(entry.modified);
    const record: Written = { name: Buffer.from(entry.name, 'utf8'), flags: UTF8_NAMES | (folder ? 0 : DATA_DESCRIPTOR), time, date, crc: 0, size: 0, offset, folder };
    yield* out(localHeader(record));
    if (!folder) {
      for (const chunk of entry.chunks ?? []) {
        record.crc = crc32(chunk, record.crc);
        record.size += chunk.length;
        yield* out(chunk);
      }
      yield* out(dataDescriptor(record));
    }
    written.push(record);
  }
  const centralStart = offset;
  for (const record of written) yield* out(centralHeader(record));
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(written.length, 8);
  end.writeUInt16LE(written.length, 10);
  end.writeUInt32LE(offset - centralStart, 12);
  end.writeUInt32LE(centralStart, 16);
  yield end;
}

/** A whole (small) archive in memory: the sample office files. */
export function zipBuffer(entries: ZipEntry[]): Buffer {
  return Buffer.concat([...zipStream(entries)]);
}
