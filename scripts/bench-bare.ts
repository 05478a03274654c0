/** The yardstick for `npm run bench`: a bare Express route in its own process. */
import express from 'express';

const app = express();
app.get('/bare', (_req, res) => {
  res.json({ status: 'ok' });
});
app.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
