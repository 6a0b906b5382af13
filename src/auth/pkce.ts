import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The one-time values of an authorization request: `state` and the PKCE pair (RFC 7636). */

/** 256 bits, well above the 128 that RFC 9700 asks of `state`. */
export function newState(): string {
  return randomBytes(32).toString('base64url');
}

/** 64 random bytes as base64url: 86 characters, inside RFC 7636's 43-128. */
export function newCodeVerifier(): string {
  return randomBytes(64).toString('base64url');
}

export function codeChallengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function statesMatch(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}
