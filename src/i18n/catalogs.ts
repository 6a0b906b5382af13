import { de } from './messages/de';
import { en, type Catalog, type MessageKey } from './messages/en';
import { es } from './messages/es';
import { fr } from './messages/fr';
import { ja } from './messages/ja';
import type { Language } from './locales';

/** Every language's catalog; English's keys are the list every other language must fill (the compiler checks it). */

export type { Catalog, MessageKey };
/** Keys with `.one` and `.other` forms, named without them. */
type PluralBase<Key> = Key extends `${infer Base}.one` ? Base : never;
export type PluralKey = PluralBase<MessageKey>;

export const CATALOGS: Record<Language, Catalog> = { en, de, fr, es, ja };
