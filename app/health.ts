/** Liveness and readiness probes for load balancers and orchestrators. */
import express from 'express';
import { readinessProblem, type Database } from './database';

export function healthRoutes(db: Database): express.Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res, next) => {
    readinessProblem(db).then((problem) => {
      if (problem) res.status(503).json({ status: 'unavailable', detail: problem });
      else res.json({ status: 'ok', database: db.kind });
    }, next);
  });
  return router;
}
