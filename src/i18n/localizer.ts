import { CATALOGS, type MessageKey, type PluralKey } from './catalogs';
import { DEFAULT_LANGUAGE, type Language } from './locales';

/**
 * One language's words and formats: catalog lookups with `{name}` placeholders, plurals chosen
 * by Intl.PluralRules, and numbers, sizes and dates by Intl. Each formatter is made once per
 * language (making one costs far more than using it) and shared by every request.
 */

export type MessageParams = Record<string, string | number>;

const SIZE_UNITS = ['size.bytes', 'size.kb', 'size.mb', 'size.gb', 'size.tb'] as const;
const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

export class Localizer {
  private readonly catalog: Record<MessageKey, string>;
  private readonly plurals: Intl.PluralRules;
  private readonly integers: Intl.NumberFormat;
  private readonly decimals: Intl.NumberFormat;
  private readonly dates: Intl.DateTimeFormat;
  private readonly times: Intl.DateTimeFormat;
  private readonly relativeTimes: Intl.RelativeTimeFormat;

  constructor(readonly language: Language) {
    this.catalog = CATALOGS[language];
    this.plurals = new Intl.PluralRules(language);
    this.integers = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
    this.decimals = new Intl.NumberFormat(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    // Exact times are rendered in UTC, said so, and turned into the reader's own time zone by
    // public/app.js from <time datetime>: the server does not know where the reader is.
    this.dates = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone: 'UTC' });
    this.times = new Intl.DateTimeFormat(language, { timeStyle: 'short', timeZone: 'UTC' });
    this.relativeTimes = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  }

  /** The message `key`, its `{placeholders}` filled from `params`. */
  t(key: MessageKey, params?: MessageParams): string {
    const text = this.catalog[key];
    return params ? fill(text, params) : text;
  }

  /** The form of `key` for `count` (`key.one` or `key.other`), with `{count}` written as a number of this language. */
  plural(key: PluralKey, count: number, params: MessageParams = {}): string {
    const form = this.plurals.select(count) === 'one' ? 'one' : 'other';
    return this.t(`${key}.${form}` as MessageKey, { ...params, count: this.number(count) });
  }

  number(value: number): string {
    return this.integers.format(value);
  }

  /** 1536 -> "1.5 KB" ("1,5 KB" in German); binary multiples, as Dropbox's own pages count. */
  size(bytes: number | undefined): string {
    if (bytes === undefined) return '';
    if (bytes === 1) return this.t('size.byte');
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
      value /= 1024;
      unit += 1;
    }
    const number = unit === 0 || value >= 10 ? this.integers.format(value) : this.decimals.format(value);
    return this.t(SIZE_UNITS[unit], { value: number });
  }

  /** The day of a timestamp, in UTC ("14 Jul 2024"). */
  date(iso: string | undefined): string {
    const time = timeOf(iso);
    return time === undefined ? '' : this.dates.format(time);
  }

  /** The time of day of a timestamp, in UTC and saying so ("10:30 UTC"). */
  time(iso: string | undefined): string {
    const time = timeOf(iso);
    return time === undefined ? '' : this.t('time.utc', { time: this.times.format(time) });
  }

  /** "3 days ago", "in 2 hours". */
  relative(iso: string | undefined, now: number): string {
    const time = timeOf(iso);
    if (time === undefined) return '';
    const elapsed = time - now;
    for (const [unit, ms] of RELATIVE_STEPS) {
      if (Math.abs(elapsed) >= ms) return this.relativeTimes.format(Math.round(elapsed / ms), unit);
    }
    return this.relativeTimes.format(0, 'minute');
  }
}

function timeOf(iso: string | undefined): number | undefined {
  const time = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(time) ? undefined : time;
}

function fill(text: string, params: MessageParams): string {
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) => (name in params ? String(params[name]) : placeholder));
}

const LOCALIZERS = new Map<Language, Localizer>();

/** The shared Localizer of a language, made on first use. */
export function localizerFor(language: Language = DEFAULT_LANGUAGE): Localizer {
  let localizer = LOCALIZERS.get(language);
  if (!localizer) {
    localizer = new Localizer(language);
    LOCALIZERS.set(language, localizer);
  }
  return localizer;
}
