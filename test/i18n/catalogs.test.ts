import { CATALOGS, type MessageKey } from '../../src/i18n/catalogs';
import { languageFromAcceptLanguage, LANGUAGES } from '../../src/i18n/locales';
import { localizerFor } from '../../src/i18n/localizer';
import { csrfTokenOf, decodeHtml } from '../support/html';
import { withConnectedUser } from '../support/stack';

const en = CATALOGS.en;
const keys = Object.keys(en) as MessageKey[];
const placeholdersOf = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

/** Texts that are rightly the same as in English: units, "UTC", names and loanwords of that language. */
const SAME_AS_ENGLISH: Record<string, MessageKey[]> = {
  de: ['column.name', 'kind.audio', 'kind.video', 'kind.text', 'size.kb', 'size.mb', 'size.gb', 'size.tb', 'time.utc'],
  fr: ['kind.image', 'kind.document', 'kind.archive', 'kind.audio', 'time.utc'],
  es: ['size.byte', 'size.bytes', 'file.bytes.one', 'file.bytes.other', 'size.kb', 'size.mb', 'size.gb', 'size.tb', 'time.utc', 'error.status'],
  ja: ['size.kb', 'size.mb', 'size.gb', 'size.tb'],
};

describe('The message catalogs', () => {
  test.each(LANGUAGES.filter((language) => language !== 'en'))('when the %s catalog is compared with English, then it has every key, no other, with the same placeholders', (language) => {
    const catalog = CATALOGS[language];
    expect(Object.keys(catalog).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect({ key, text: catalog[key].trim().length > 0 }).toEqual({ key, text: true });
      expect({ key, placeholders: placeholdersOf(catalog[key]) }).toEqual({ key, placeholders: placeholdersOf(en[key]) });
    }
  });

  test.each(LANGUAGES.filter((language) => language !== 'en'))('when the %s catalog is read, then every text is translated, apart from the few that are the same in both languages', (language) => {
    const untranslated = keys.filter((key) => CATALOGS[language][key] === en[key] && !SAME_AS_ENGLISH[language].includes(key));
    expect(untranslated).toEqual([]);
  });

  test('when numbers, sizes and dates are formatted, then each language writes them its own way', () => {
    expect(localizerFor('en').size(1536)).toBe('1.5 KB');
    expect(localizerFor('de').size(1536)).toBe('1,5 KB');
    expect(localizerFor('fr').size(3_400_000)).toBe('3,2 Mo');
    expect(localizerFor('de').plural('browse.items', 2500)).toBe('2.500 Elemente');
    expect(localizerFor('fr').plural('browse.items', 1)).toBe('1 élément');
    expect(localizerFor('ja').plural('browse.items', 3)).toBe('3 項目');
    expect(localizerFor('de').date('2024-07-14T22:30:00Z')).toBe('14.07.2024');
    expect(localizerFor('de').time('2024-07-14T22:30:00Z')).toBe('22:30 UTC');
    expect(localizerFor('es').relative('2024-07-14T22:30:00Z', Date.parse('2024-07-17T22:30:00Z'))).toBe('hace 3 días');
    // One formatter set per language, shared by every request.
    expect(localizerFor('de')).toBe(localizerFor('de'));
  });

  test('when Accept-Language lists languages with weights, then the best one Dropview speaks is chosen', () => {
    expect(languageFromAcceptLanguage('de-CH, de;q=0.9, en;q=0.8')).toBe('de');
    expect(languageFromAcceptLanguage('nl, fr;q=0.5, en;q=0.7')).toBe('en');
    expect(languageFromAcceptLanguage('ja;q=0.2, pt-BR')).toBe('ja');
    expect(languageFromAcceptLanguage('es;q=0, fr;q=0.1')).toBe('fr');
    expect(languageFromAcceptLanguage('*')).toBe('en');
    expect(languageFromAcceptLanguage(undefined)).toBe('en');
  });
});

/** What a person reads on a page: its text and the words in title, aria-label, placeholder and alt. */
function readableTextOf(html: string): string {
  const attributes = [...html.matchAll(/\s(?:title|aria-label|placeholder|alt)="([^"]*)"/g)].map((match) => match[1]);
  const text = html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' ');
  return decodeHtml(`${text} ${attributes.join(' ')}`);
}

/** The English words of every catalog text that German says differently (the parts between placeholders). */
const englishFragments = keys
  .filter((key) => CATALOGS.de[key] !== en[key])
  .flatMap((key) => en[key].split(/\{\w+\}/).map((fragment) => ({ key, fragment: fragment.trim() })))
  .filter(({ fragment }) => fragment.length >= 4 && /[a-z]/i.test(fragment))
  // As whole words: German "Liste" is not the English "List".
  .map(({ key, fragment }) => ({ key, fragment, pattern: new RegExp(`(?<![\\p{L}])${fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}])`, 'u') }));

describe('Pages in the reader’s language', () => {
  const user = withConnectedUser();
  const german = (address: string) => user.agent.get(address).set('Accept', 'text/html').set('Accept-Language', 'de-DE,de;q=0.9,en;q=0.5');

  test('when a German browser opens every kind of page, then each is in German and shows no English catalog text', async () => {
    user.stack.emulator.injectFault('files/list_folder', { kind: 'rate_limit', retryAfter: 30 });
    user.stack.emulator.tree.addFile('/Limited/note.txt', { content: 'n' });
    const limited = await german('/browse/Limited');
    user.stack.emulator.clearFaults();
    expect(limited.status).toBe(503);
    const pages = [{ address: '/browse/Limited', page: limited }];
    for (const address of [
      '/browse',
      '/browse/Documents',
      '/browse/Photos?view=grid',
      '/browse/Empty%20folder',
      '/search?q=budget&path=%2FPhotos',
      '/search?q=notes',
      '/file/Documents/Notes.md',
      '/file/Viewers/Itinerary.pdf',
      '/file/Viewers/Letter.docx',
      '/file/Viewers/Chime.wav',
      '/file/Viewers/Logo.svg',
      '/browse/Nothing%20here',
    ]) {
      pages.push({ address, page: await german(address) });
    }
    const anonymous = user.stack.agent();
    for (const address of ['/', '/?disconnected=1']) pages.push({ address, page: await anonymous.get(address).set('Accept-Language', 'de') });
    // The names of files and folders are the person's own words, in whatever language: left out.
    const names = new Set<string>(['Dana Demo']);
    for (const folder of ['/browse', '/browse/Documents', '/browse/Photos']) {
      const listing = await user.agent.get(folder).set('Accept', 'application/json');
      for (const entry of listing.body.entries as { path: string }[]) entry.path.split('/').forEach((name) => names.add(name));
    }
    const withoutNames = (text: string) => [...names].filter(Boolean).reduce((rest, name) => rest.split(name).join(' '), text);
    for (const { address, page } of pages) {
      expect({ address, lang: /<html lang="([a-z]+)">/.exec(page.text)?.[1], contentLanguage: page.headers['content-language'] }).toEqual({ address, lang: 'de', contentLanguage: 'de' });
      const text = withoutNames(readableTextOf(page.text));
      expect({ address, english: englishFragments.filter(({ pattern }) => pattern.test(text)).map(({ key, fragment }) => ({ key, fragment })) }).toEqual({ address, english: [] });
    }
    expect(readableTextOf((await german('/browse/Documents')).text)).toContain('Inhalt von Documents');
  });

  test('when the person picks a language in the footer, then it is remembered over the browser’s own', async () => {
    const agent = user.agent;
    const switched = await agent.get('/language?lang=fr&back=%2Fbrowse%2FPhotos').expect(303).expect('Location', '/browse/Photos');
    expect(switched.headers['set-cookie']?.[0]).toMatch(/^dropview\.lang=fr; Max-Age=31536000; .*HttpOnly; SameSite=Lax/);
    const page = await agent.get('/browse/Photos').set('Accept-Language', 'de').expect(200);
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain('Afficher');
    expect(csrfTokenOf(page.text)).toBeTruthy();
    await agent.get('/language?lang=en&back=%2Fbrowse').expect(303);
  });

  test('when the switch is handed somewhere else to go back to, then it only goes back within Dropview', async () => {
    for (const back of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)']) {
      await user.stack
        .agent()
        .get(`/language?lang=de&back=${encodeURIComponent(back)}`)
        .expect(303)
        .expect('Location', '/');
    }
    const unknown = await user.stack.agent().get('/language?lang=xx&back=%2F').expect(303);
    expect(unknown.headers['set-cookie']).toBeUndefined();
  });
});
