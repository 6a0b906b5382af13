'use strict';
// A plain Dropbox browser, written the way the common refresh-token gist does it: the tokens
// live in the session (express-session + connect-redis), every page view makes one
// files/list_folder call, nothing is cached. Dropview's benchmark runs it as its competitor.
const crypto = require('node:crypto');
const path = require('node:path');
const express = require('express');
const session = require('express-session');
const { RedisStore } = require('connect-redis');
const { createClient } = require('@redis/client');
const axios = require('axios');

const {
  PORT = '3000',
  BASE_URL = `http://localhost:${PORT}`,
  REDIS_URL = 'redis://127.0.0.1:6379',
  SESSION_SECRET,
  DROPBOX_APP_KEY,
  DROPBOX_APP_SECRET,
  DROPBOX_AUTHORIZE_URL = 'https://www.dropbox.com/oauth2/authorize',
  DROPBOX_API_URL = 'https://api.dropboxapi.com',
  TRUST_PROXY,
  NODE_ENV,
} = process.env;
const REDIRECT_URI = `${BASE_URL}/auth/dropbox/callback`;

const redisClient = createClient({ url: REDIS_URL });
redisClient.on('error', (err) => console.error('redis error', err.message));

const app = express();
if (TRUST_PROXY) app.set('trust proxy', /^\d+$/.test(TRUST_PROXY) ? Number(TRUST_PROXY) : TRUST_PROXY);
app.set('view engine', 'ejs');
app.set('views', path.join(__dirname, 'views'));

app.get('/healthz', (req, res) => res.send('ok'));

app.use(
  session({
    store: new RedisStore({ client: redisClient, prefix: 'baseline:sess:' }),
    secret: SESSION_SECRET,
    resave: false,
    saveUninitialized: false,
    cookie: { secure: NODE_ENV === 'production', sameSite: 'lax', httpOnly: true },
  }),
);

app.get('/', (req, res) => res.redirect('/browse'));

app.get('/auth/dropbox', (req, res) => {
  const state = crypto.randomBytes(16).toString('hex');
  req.session.state = state;
  const params = new URLSearchParams({
    client_id: DROPBOX_APP_KEY,
    response_type: 'code',
    token_access_type: 'offline',
    redirect_uri: REDIRECT_URI,
    state,
  });
  res.redirect(`${DROPBOX_AUTHORIZE_URL}?${params}`);
});

// expires_at is kept in ms and set 100 s early (now + (expires_in - 100) s), so a token is
// refreshed a little before Dropbox would refuse it.
function saveTokens(sess, data) {
  sess.access_token = data.access_token;
  if (data.refresh_token) sess.refresh_token = data.refresh_token;
  sess.expires_at = Date.now() + (data.expires_in - 100) * 1000;
}

app.get('/auth/dropbox/callback', async (req, res, next) => {
  try {
    if (!req.query.code || !req.query.state || req.query.state !== req.session.state) {
      return res.status(400).render('error', { message: 'Invalid OAuth state. Please try again.' });
    }
    const { data } = await axios.post(
      `${DROPBOX_API_URL}/oauth2/token`,
      new URLSearchParams({
        code: req.query.code,
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT_URI,
      }),
      { auth: { username: DROPBOX_APP_KEY, password: DROPBOX_APP_SECRET } },
    );
    // A fresh session id on sign-in, as the express-session docs' login example does.
    req.session.regenerate((err) => {
      if (err) return next(err);
      saveTokens(req.session, data);
      res.redirect('/browse');
    });
  } catch (err) {
    next(err);
  }
});

async function refreshToken(sess) {
  const { data } = await axios.post(
    `${DROPBOX_API_URL}/oauth2/token`,
    new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: sess.refresh_token,
    }),
    { auth: { username: DROPBOX_APP_KEY, password: DROPBOX_APP_SECRET } },
  );
  saveTokens(sess, data);
}

function listFolder(accessToken, folder) {
  return axios.post(
    `${DROPBOX_API_URL}/2/files/list_folder`,
    { path: folder },
    {
      headers: { Authorization: `Bearer ${accessToken}` },
    },
  );
}

function isExpiredToken(err) {
  const summary = err.response && err.response.data && err.response.data.error_summary;
  return err.response && err.response.status === 401 && String(summary).startsWith('expired_access_token');
}

async function browse(req, res, next) {
  const folder = req.params.splat ? `/${req.params.splat.join('/')}` : ''; // Dropbox's root is ""
  try {
    if (!req.session.refresh_token) return res.redirect('/auth/dropbox');
    if (Date.now() >= req.session.expires_at) await refreshToken(req.session);
    let response;
    try {
      response = await listFolder(req.session.access_token, folder);
    } catch (err) {
      // Dropbox ended the token before our clock said so: refresh once and try again.
      if (!isExpiredToken(err)) throw err;
      await refreshToken(req.session);
      response = await listFolder(req.session.access_token, folder);
    }
    // Shown in the order Dropbox returns them; only the first page (no list_folder/continue).
    res.render('folder', { folder, entries: response.data.entries, hasMore: response.data.has_more });
  } catch (err) {
    if (err.response && err.response.status === 401) return res.redirect('/auth/dropbox');
    next(err);
  }
}

app.get('/browse', browse);
app.get('/browse/*splat', browse);

// Express knows an error handler by its four parameters.
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  console.error(err.message);
  res.status(500).render('error', { message: 'Something went wrong.' });
});

redisClient
  .connect()
  .then(() => {
    app.listen(Number(PORT), () => console.log(`baseline listening on ${PORT}`));
  })
  .catch((err) => {
    console.error('could not connect to redis:', err.message);
    process.exit(1);
  });
