import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption (AES-256-GCM) for what Dropview keeps about people: Dropbox tokens,
 * folder indexes (file names are personal data), page cursors. A copy of Redis is then not a
 * copy of anyone's Dropbox.
 *
 * Several keys can be configured: the first seals, all of them open, which is how a key is
 * rotated; each sealed value names its key by a short id. Each purpose derives its own key
 * from the configured ones (HKDF), so a value sealed for one purpose never opens for another.
 * A `context` (e.g. the session and field a token belongs to) is bound in as associated data:
 * a sealed value moved to another place does not open there.
 */

const TEXT_FORMAT = 'v1';
const BINARY_FORMAT = 1;
const KEY_ID_BYTES = 6;
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface SealingKey {
  id: Buffer;
  key: Buffer;
  /** Keys the synthetic IVs of deterministic seals: a key of its own, never the cipher's. */
  ivKey: Buffer;
}

export type SealingPurpose = 'token-encryption-v1' | 'folder-index-v1' | 'page-cursor-v1';

function deriveKey(material: string, purpose: SealingPurpose): SealingKey {
  const key = Buffer.from(hkdfSync('sha256', material, 'dropview', purpose, 32));
  const ivKey = Buffer.from(hkdfSync('sha256', material, 'dropview', `${purpose}:synthetic-iv`, 32));
  return { id: createHash('sha256').update(key).digest().subarray(0, KEY_ID_BYTES), key, ivKey };
}

export class Sealer {
  private readonly keys: SealingKey[];

  constructor(keyMaterials: string[], purpose: SealingPurpose) {
    if (keyMaterials.length === 0) throw new Error('a Sealer needs at least one key');
    this.keys = keyMaterials.map((material) => deriveKey(material, purpose));
  }

  /**
   * Text in, URL-safe text out: `v1.<key id>.<iv>.<tag>.<ciphertext>`. `deterministic`: the IV
   * is a keyed hash of the plaintext and context (a synthetic IV), so the same value seals to
   * the same text, as a page cursor in an address should; it reveals only that two are equal.
   */
  seal(plaintext: string, context = '', options: { deterministic?: boolean } = {}): string {
    const { id, key, ivKey } = this.keys[0];
    const keyId = id.toString('base64url');
    const iv = options.deterministic ? createHmac('sha256', ivKey).update(context).update('\0').update(plaintext).digest().subarray(0, IV_BYTES) : randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(textAad(keyId, context)));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [TEXT_FORMAT, keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** The plaintext, or undefined when the value was sealed with an unknown key, for another context, or altered. */
  open(sealed: string, context = ''): string | undefined {
    const [format, keyId, iv, tag, ciphertext, extra] = sealed.split('.');
    if (format !== TEXT_FORMAT || extra !== undefined || !ciphertext) return undefined;
    const sealingKey = this.keys.find((candidate) => candidate.id.toString('base64url') === keyId);
    if (!sealingKey) return undefined;
    return decrypt(sealingKey.key, Buffer.from(iv, 'base64url'), Buffer.from(tag, 'base64url'), Buffer.from(ciphertext, 'base64url'), Buffer.from(textAad(keyId, context)))?.toString('utf8');
  }

  /** Bytes in, bytes out (format byte, key id, iv, tag, ciphertext): for values too big for text. */
  sealBytes(plaintext: Buffer, context: string): Buffer {
    const { id, key } = this.keys[0];
    const iv = randomBytes(IV_BYTES);
    const header = Buffer.concat([Buffer.of(BINARY_FORMAT), id]);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.concat([header, Buffer.from(context)]));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
  }

  openBytes(sealed: Buffer, context: string): Buffer | undefined {
    const headerLength = 1 + KEY_ID_BYTES;
    if (sealed.length < headerLength + IV_BYTES + TAG_BYTES || sealed[0] !== BINARY_FORMAT) return undefined;
    const header = sealed.subarray(0, headerLength);
    const sealingKey = this.keys.find((candidate) => candidate.id.equals(header.subarray(1)));
    if (!sealingKey) return undefined;
    const iv = sealed.subarray(headerLength, headerLength + IV_BYTES);
    const tag = sealed.subarray(headerLength + IV_BYTES, headerLength + IV_BYTES + TAG_BYTES);
    return decrypt(sealingKey.key, iv, tag, sealed.subarray(headerLength + IV_BYTES + TAG_BYTES), Buffer.concat([header, Buffer.from(context)]));
  }
}

function textAad(keyId: string, context: string): string {
  return context ? `${TEXT_FORMAT}.${keyId}.${context}` : `${TEXT_FORMAT}.${keyId}`;
}

function decrypt(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}
