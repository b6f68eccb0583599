// Docker HEALTHCHECK of the coordinator image: healthy when the Socket.IO endpoint the sites
// connect to answers its handshake (the admin API needs a token; this needs none). Exit 0 or 1.
// With FEDSYNTH_TLS_CERT set the coordinator speaks HTTPS only; the probe then skips certificate
// verification, because it dials 127.0.0.1, which the certificate does not name, and sends
// nothing secret: it only asks whether the server answers.
const http = require('node:http');
const https = require('node:https');

const port = process.env.FEDSYNTH_PORT || '8080';
const tls = Boolean(process.env.FEDSYNTH_TLS_CERT && process.env.FEDSYNTH_TLS_CERT.trim());
const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`;

const request = (tls ? https : http).get(url, { timeout: 4000, rejectUnauthorized: false }, (response) => {
  response.resume();
  process.exit(response.statusCode === 200 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timeout')));
request.on('error', () => process.exit(1));
