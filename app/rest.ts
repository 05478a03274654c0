/**
 * REST conventions shared with SODAR Core's clients: a versioned vendor media type in
 * `Accept` (406 when unsupported, checked before authentication), JSON bodies.
 */
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './errors';

export interface MediaTypeSpec {
  /** e.g. `application/vnd.bihealth.sodar-core.projectroles+json` */
  mediaType: string;
  versions: string[];
  defaultVersion: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The REST API version negotiated from `Accept`. */
    apiVersion?: string;
  }
}

interface AcceptEntry {
  type: string;
  version: string | null;
}

function parseAccept(header: string | undefined): AcceptEntry[] {
  if (!header) return [{ type: '*/*', version: null }];
  return header.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((item) => item.trim());
    const version = params.find((param) => param.startsWith('version='))?.slice('version='.length) ?? null;
    return { type: type.toLowerCase(), version };
  });
}

/** Picks the version from `Accept` or answers 406 naming what is supported. */
export function negotiateVersion(spec: MediaTypeSpec, minVersion?: string) {
  const allowed = minVersion ? spec.versions.slice(spec.versions.indexOf(minVersion)) : spec.versions;
  return (req: Request, res: Response, next: NextFunction): void => {
    for (const entry of parseAccept(req.get('accept'))) {
      const matchesType = entry.type === spec.mediaType || entry.type === '*/*' || entry.type === 'application/*';
      if (!matchesType) continue;
      const version = entry.version ?? spec.defaultVersion;
      if (!allowed.includes(version)) continue;
      req.apiVersion = version;
      res.type(`${spec.mediaType}; version=${version}`);
      return next();
    }
    next(new HttpError(406, `Not acceptable: use Accept: ${spec.mediaType}; version=<${allowed.join('|')}>`));
  };
}

/** REST wants 401 for anonymous callers (403 stays for denied ones). */
export function requireApiUser(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  res.set('WWW-Authenticate', 'Token');
  next(new HttpError(401, 'Authentication credentials were not provided.'));
}
