/**
 * projectroles tables. EntitySchema rather than decorators: the code runs under
 * tsx/esbuild, which emits no decorator metadata, so every column states its type.
 */
import { EntitySchema } from 'typeorm';

export interface User {
  id: number;
  sodar_uuid: string;
  username: string;
  /** Full name. */
  name: string;
  email: string;
  /** scrypt hash, see passwords.ts; empty means the user cannot log in with a password. */
  password: string;
  is_superuser: boolean;
  is_active: boolean;
  date_joined: Date;
  last_login: Date | null;
}

export const UserEntity = new EntitySchema<User>({
  name: 'User',
  tableName: 'projectroles_user',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    sodar_uuid: { type: 'uuid', unique: true },
    username: { type: 'varchar', length: 150, unique: true },
    name: { type: 'varchar', length: 255, default: '' },
    email: { type: 'varchar', length: 254, default: '' },
    password: { type: 'varchar', length: 255 },
    is_superuser: { type: 'boolean', default: false },
    is_active: { type: 'boolean', default: true },
    date_joined: { type: 'timestamptz' },
    last_login: { type: 'timestamptz', nullable: true },
  },
});

export const projectrolesEntities = [UserEntity];
