/**
 * The yardstick of `npm run bench:startup`: a bare Express app answering /readyz, in plain
 * JavaScript so it starts as the compiled site does (plain node, no compiling at run time).
 */
/* global process */
const express = require('express');

const app = express();
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
