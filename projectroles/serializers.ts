/** JSON shapes of projectroles objects, as SODAR Core's REST API and Ajax views emit them. */
import type { User } from './entities';

export function serializeUser(user: User, version: string) {
  const body: Record<string, unknown> = {
    username: user.username,
    name: user.name,
    email: user.email,
    additional_emails: [],
    is_superuser: user.is_superuser,
    sodar_uuid: user.sodar_uuid,
  };
  if (version !== '1.0') body.auth_type = 'LOCAL';
  return body;
}
