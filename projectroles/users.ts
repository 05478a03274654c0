/** Creating and finding users. */
import { v4 as uuid4 } from 'uuid';
import type { DataSource } from 'typeorm';
import { BadInputError } from '../app/errors';
import { checkColumnLengths } from '../app/input-limits';
import { UserEntity, type User } from './entities';
import { hashPassword, randomPassword } from './passwords';

export interface NewUser {
  username: string;
  email: string;
  name?: string;
  password: string;
  isSuperuser?: boolean;
}

const USERNAME_PATTERN = /^[\w.@+-]{1,150}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

/** Checks a new user's fields; throws BadInputError naming the field. */
export function validateNewUser(input: NewUser): void {
  if (!USERNAME_PATTERN.test(input.username)) {
    throw new BadInputError('username: 1-150 letters, digits and @ . + - _ only');
  }
  if (input.email !== '' && !EMAIL_PATTERN.test(input.email)) {
    throw new BadInputError(`email: not an email address: ${input.email}`);
  }
  if (input.password.length < 8) throw new BadInputError('password: at least 8 characters');
  checkColumnLengths(UserEntity, { username: input.username, email: input.email, name: input.name });
}

export async function createUser(dataSource: DataSource, input: NewUser): Promise<User> {
  validateNewUser(input);
  const users = dataSource.getRepository(UserEntity);
  if (await users.existsBy({ username: input.username })) {
    throw new BadInputError(`username: a user named ${input.username} already exists`);
  }
  return users.save({
    sodar_uuid: uuid4(),
    username: input.username,
    email: input.email,
    name: input.name ?? '',
    password: await hashPassword(input.password),
    is_superuser: input.isSuperuser ?? false,
    is_active: true,
    date_joined: new Date(),
    last_login: null,
  });
}

export function findActiveUser(dataSource: DataSource, where: { username: string } | { sodar_uuid: string }): Promise<User | null> {
  return dataSource.getRepository(UserEntity).findOneBy({ ...where, is_active: true });
}

export function countUsers(dataSource: DataSource): Promise<number> {
  return dataSource.getRepository(UserEntity).count();
}

/**
 * When the site has no superuser (a new database, perhaps already seeded with demo users),
 * creates the superuser `admin` so a newcomer can log in at once.
 * Returns the password when it was generated (the caller prints it once), else null.
 */
export async function ensureFirstSuperuser(dataSource: DataSource, password: string | null): Promise<{ created: boolean; password: string | null }> {
  const users = dataSource.getRepository(UserEntity);
  if (await users.existsBy([{ is_superuser: true }, { username: 'admin' }])) return { created: false, password: null };
  const chosen = password ?? randomPassword();
  try {
    await createUser(dataSource, { username: 'admin', email: '', name: 'Administrator', password: chosen, isSuperuser: true });
  } catch (error) {
    // Another process starting at the same moment may have created it first.
    if (await findActiveUser(dataSource, { username: 'admin' })) return { created: false, password: null };
    throw error;
  }
  return { created: true, password: password ? null : chosen };
}
