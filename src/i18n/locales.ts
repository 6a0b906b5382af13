/** The languages Dropview speaks, and how a request's language is chosen. */

export const LANGUAGES = ['en', 'de', 'fr', 'es', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

/** Each language's name in itself, for the switch: a person looks for their own language by its own name. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', de: 'Deutsch', fr: 'Français', es: 'Español', ja: '日本語' };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The best of our languages for an Accept-Language header (`de-CH, de;q=0.9, en;q=0.8`): the
 * highest-weighted range whose primary tag we speak; `*` or nothing we speak gives English.
 */
export function languageFromAcceptLanguage(header: string | undefined): Language {
  if (!header) return DEFAULT_LANGUAGE;
  const ranges = header
    .split(',')
    .slice(0, 20)
    .map((part, position) => {
      const [tag, ...parameters] = part.trim().split(';');
      const weight = parameters.map((parameter) => /^\s*q=([0-9.]+)\s*$/.exec(parameter)?.[1]).find((value) => value !== undefined);
      return { primary: tag.trim().toLowerCase().split('-')[0], weight: weight === undefined ? 1 : Number(weight), position };
    })
    .filter((range) => range.weight > 0 && !Number.isNaN(range.weight))
    .sort((a, b) => b.weight - a.weight || a.position - b.position);
  return ranges.map((range) => range.primary).find(isLanguage) ?? DEFAULT_LANGUAGE;
}
