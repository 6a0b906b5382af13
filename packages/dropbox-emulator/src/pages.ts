/** The few HTML pages the emulator shows a person: the consent screen and its errors. */

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => escapes[ch]);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Dropbox emulator</title>
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1e1919;background:#f7f5f2}
main{background:#fff;border-radius:.5rem;padding:1.5rem 2rem;box-shadow:0 1px 4px #0002}
.tag{display:inline-block;background:#0061fe;color:#fff;border-radius:.25rem;padding:.1rem .5rem;font-size:.8rem}
button{font:inherit;padding:.6rem 1.4rem;border-radius:.3rem;border:1px solid #0061fe;cursor:pointer;margin-right:.5rem}
.allow{background:#0061fe;color:#fff}.deny{background:#fff;color:#0061fe}
code{word-break:break-all}
</style></head>
<body><main><p class="tag">Dropbox emulator</p>${body}</main></body></html>`;
}

export function authorizePage(params: Record<string, string | undefined>, scopes: string[], email: string): string {
  const hidden = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'decision')
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const scopeList = scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('');
  return page(
    'Authorize',
    `<h1>Allow this app to access your Dropbox?</h1>
<p>Signed in as <strong>${escapeHtml(email)}</strong>.</p>
<p>The app asks for:</p><ul>${scopeList}</ul>
<form method="post" action="/oauth2/authorize">${hidden}
<button class="allow" type="submit" name="decision" value="allow">Allow</button>
<button class="deny" type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function authorizeErrorPage(message: string): string {
  return page('Error', `<h1>Something went wrong</h1><p>${escapeHtml(message)}</p>`);
}

/** Without a redirect_uri, Dropbox shows the code for the person to paste into the app. */
export function codeOnScreenPage(code: string | undefined): string {
  return code ? page('Access code', `<h1>Enter this code into the app</h1><p><code>${escapeHtml(code)}</code></p>`) : page('Access denied', '<h1>You chose not to connect the app.</h1>');
}
