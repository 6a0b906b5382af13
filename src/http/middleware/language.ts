import type { Request, RequestHandler, Response } from 'express';
import { LANGUAGE_NAMES, LANGUAGES, isLanguage, languageFromAcceptLanguage, type Language } from '../../i18n/locales';
import { localizerFor, type Localizer } from '../../i18n/localizer';

/**
 * The language of each page: the one the person chose with the switch in the footer (a cookie),
 * else the best match of the browser's Accept-Language, else English. Every view gets its
 * words (`t`, `plural`) and number formats from res.locals; handlers from `localizerOf(res)`.
 */

export const LANGUAGE_COOKIE = 'dropview.lang';
const MAX_BACK_LENGTH = 2048;

function chosenLanguage(req: Request): Language | undefined {
  const cookies = req.headers.cookie ?? '';
  const match = new RegExp(`(?:^|;\\s*)${LANGUAGE_COOKIE.replace('.', '\\.')}=([a-z]{2})(?:;|$)`).exec(cookies);
  return match && isLanguage(match[1]) ? match[1] : undefined;
}

/** The texts public/app.js shows, handed over in the page (<body data-messages>), so the script carries no words of its own. */
function clientMessagesJsonOf(localizer: Localizer): string {
  const messages = {
    loading: localizer.t('client.loading'),
    opening: localizer.t('client.opening'),
    updated: localizer.t('client.updated'),
    loadedOne: localizer.t('client.loaded.one'),
    loadedOther: localizer.t('client.loaded.other'),
    shown: localizer.t('browse.shown'),
  };
  return JSON.stringify(messages);
}

const CLIENT_MESSAGES = new Map<Language, string>();

/** What every view needs to speak `language`. */
export function languageLocals(language: Language) {
  const localizer = localizerFor(language);
  let clientMessagesJson = CLIENT_MESSAGES.get(language);
  if (clientMessagesJson === undefined) {
    clientMessagesJson = clientMessagesJsonOf(localizer);
    CLIENT_MESSAGES.set(language, clientMessagesJson);
  }
  return {
    lang: language,
    localizer,
    t: localizer.t.bind(localizer),
    plural: localizer.plural.bind(localizer),
    number: localizer.number.bind(localizer),
    languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
    clientMessagesJson,
    here: '/',
  };
}

export const languageMiddleware: RequestHandler = (req, res, next) => {
  const language = chosenLanguage(req) ?? languageFromAcceptLanguage(req.get('accept-language'));
  Object.assign(res.locals, languageLocals(language));
  res.locals.here = req.method === 'GET' && req.originalUrl.length <= MAX_BACK_LENGTH ? req.originalUrl : '/';
  res.setHeader('Content-Language', language);
  res.vary('Accept-Language');
  next();
};

export function localizerOf(res: Response): Localizer {
  return (res.locals.localizer as Localizer | undefined) ?? localizerFor();
}

/** A page of this app to go back to after the switch: a path on this origin, never `//host` or `/\host`. */
function safeBack(candidate: unknown): string {
  if (typeof candidate !== 'string' || candidate.length > MAX_BACK_LENGTH || !candidate.startsWith('/')) return '/';
  if (/^\/[/\\]/.test(candidate) || /[\u0000-\u001f\u007f\\]/.test(candidate)) return '/';
  return candidate;
}

/** @route GET /language?lang=<code>&back=<page> : the language switch, remembered for a year; works without JavaScript. */
export function languageSwitch(secureCookies: boolean): RequestHandler {
  return (req, res) => {
    const language = req.query.lang;
    if (isLanguage(language)) {
      res.cookie(LANGUAGE_COOKIE, language, { maxAge: 365 * 86_400_000, httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/' });
    }
    res.redirect(303, safeBack(req.query.back));
  };
}
