/** File kinds as pages show them (sizes and dates are the language's: src/i18n/localizer.ts). */

export type FileKind = 'folder' | 'image' | 'document' | 'spreadsheet' | 'audio' | 'video' | 'archive' | 'code' | 'text' | 'file';

const KIND_BY_EXTENSION: Record<string, FileKind> = {
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  gif: 'image',
  webp: 'image',
  svg: 'image',
  heic: 'image',
  tif: 'image',
  tiff: 'image',
  bmp: 'image',
  pdf: 'document',
  doc: 'document',
  docx: 'document',
  odt: 'document',
  rtf: 'document',
  pages: 'document',
  ppt: 'document',
  pptx: 'document',
  key: 'document',
  xls: 'spreadsheet',
  xlsx: 'spreadsheet',
  csv: 'spreadsheet',
  ods: 'spreadsheet',
  numbers: 'spreadsheet',
  mp3: 'audio',
  wav: 'audio',
  flac: 'audio',
  m4a: 'audio',
  ogg: 'audio',
  aac: 'audio',
  mp4: 'video',
  mov: 'video',
  mkv: 'video',
  avi: 'video',
  webm: 'video',
  zip: 'archive',
  gz: 'archive',
  tar: 'archive',
  '7z': 'archive',
  rar: 'archive',
  js: 'code',
  ts: 'code',
  py: 'code',
  java: 'code',
  c: 'code',
  go: 'code',
  rs: 'code',
  html: 'code',
  css: 'code',
  json: 'code',
  sh: 'code',
  txt: 'text',
  md: 'text',
  log: 'text',
};

export function fileKindOf(type: 'file' | 'folder', name: string): FileKind {
  if (type === 'folder') return 'folder';
  const dot = name.lastIndexOf('.');
  return dot > 0 ? (KIND_BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? 'file') : 'file';
}

/** The icon of each kind in public/icons.svg; decorative (the kind is also written out for screen readers). */
export function iconHrefOf(kind: FileKind): string {
  return `/public/icons.svg#${kind}`;
}
