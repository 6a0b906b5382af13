import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encrypts tokens before they reach the session store (AES-256-GCM), so that a copy of Redis
 * is not a copy of everyone's Dropbox. Several keys can be configured: the first seals, all of
 * them open, which is how a key is rotated. Each sealed value names its key by a short id.
 */

const FORMAT = 'v1';

interface SealingKey {
  id: string;
  key: Buffer;
}

function deriveKey(material: string): SealingKey {
  const key = Buffer.from(hkdfSync('sha256', material, 'dropview', 'token-encryption-v1', 32));
  return { id: createHash('sha256').update(key).digest('base64url').slice(0, 8), key };
}

export class TokenSealer {
  private readonly keys: SealingKey[];

  constructor(keyMaterials: string[]) {
    if (keyMaterials.length === 0) throw new Error('TokenSealer needs at least one key');
    this.keys = keyMaterials.map(deriveKey);
  }

  seal(plaintext: string): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`${FORMAT}.${id}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** The plaintext, or undefined when the value was sealed with an unknown key or altered. */
  open(sealed: string): string | undefined {
    const [format, id, iv, tag, ciphertext, extra] = sealed.split('.');
    if (format !== FORMAT || extra !== undefined || !ciphertext) return undefined;
    const sealingKey = this.keys.find((candidate) => candidate.id === id);
    if (!sealingKey) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', sealingKey.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`${FORMAT}.${id}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
