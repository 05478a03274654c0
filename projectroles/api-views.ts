/** REST API views of projectroles (paths and shapes of SODAR Core's `/project/api/`). */
import express from 'express';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../app/errors';
import { negotiateVersion, requireApiUser, type MediaTypeSpec } from '../app/rest';
import { requireUuidParam } from '../app/uuid-param';
import { UserEntity } from './entities';
import { serializeUser } from './serializers';

export const PROJECTROLES_MEDIA_TYPE: MediaTypeSpec = {
  mediaType: 'application/vnd.bihealth.sodar-core.projectroles+json',
  versions: ['1.0', '1.1', '2.0'],
  defaultVersion: '2.0',
};

export function projectrolesApiRoutes(dataSource: DataSource): express.Router {
  const router = express.Router();
  router.param('user', requireUuidParam);

  router.get('/api/users/current', negotiateVersion(PROJECTROLES_MEDIA_TYPE), requireApiUser, (req, res) => {
    res.json(serializeUser(req.user!, req.apiVersion!));
  });

  router.get('/api/users/:user', negotiateVersion(PROJECTROLES_MEDIA_TYPE, '1.1'), requireApiUser, (req, res, next) => {
    const uuid = String(req.params.user);
    dataSource
      .getRepository(UserEntity)
      .findOneBy({ sodar_uuid: uuid })
      .then((user) => {
        if (!user) throw new NotFoundError(`No user with sodar_uuid ${uuid}`);
        res.json(serializeUser(user, req.apiVersion!));
      })
      .catch(next);
  });
  return router;
}
