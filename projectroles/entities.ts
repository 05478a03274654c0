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


export type ProjectType = 'CATEGORY' | 'PROJECT';

export const ROLE_NAMES = ['project owner', 'project delegate', 'project contributor', 'project guest', 'project viewer', 'project finder'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export interface Role {
  id: number;
  name: RoleName;
  /** Lower is stronger: owner 10 ... finder 50. */
  rank: number;
  project_types: ProjectType[];
  description: string;
}

export interface Project {
  id: number;
  sodar_uuid: string;
  type: ProjectType;
  title: string;
  parent_id: number | null;
  /** Ids of the ancestors, root first. */
  ancestor_ids: number[];
  /** Ancestor titles and the title joined by " / ". */
  full_title: string;
  description: string;
  readme: string;
  /** Role everyone gets (guest or viewer), projects only. */
  public_access_id: number | null;
  archive: boolean;
  has_public_children: boolean;
  date_created: Date;
  date_modified: Date;
}

export interface RoleAssignment {
  id: number;
  sodar_uuid: string;
  project_id: number;
  user_id: number;
  role_id: number;
}

export const RoleEntity = new EntitySchema<Role>({
  name: 'Role',
  tableName: 'projectroles_role',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    name: { type: 'varchar', length: 64, unique: true },
    rank: { type: 'integer' },
    project_types: { type: 'varchar', length: 64, array: true },
    description: { type: 'text' },
  },
});

export const ProjectEntity = new EntitySchema<Project>({
  name: 'Project',
  tableName: 'projectroles_project',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    sodar_uuid: { type: 'uuid', unique: true },
    type: { type: 'varchar', length: 64 },
    title: { type: 'varchar', length: 255 },
    parent_id: { type: 'integer', nullable: true },
    ancestor_ids: { type: 'integer', array: true },
    full_title: { type: 'varchar', length: 4096 },
    description: { type: 'varchar', length: 512 },
    readme: { type: 'text' },
    public_access_id: { type: 'integer', nullable: true },
    archive: { type: 'boolean' },
    has_public_children: { type: 'boolean' },
    date_created: { type: 'timestamptz' },
    date_modified: { type: 'timestamptz' },
  },
});

export const RoleAssignmentEntity = new EntitySchema<RoleAssignment>({
  name: 'RoleAssignment',
  tableName: 'projectroles_roleassignment',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    sodar_uuid: { type: 'uuid', unique: true },
    project_id: { type: 'integer' },
    user_id: { type: 'integer' },
    role_id: { type: 'integer' },
  },
});

export const projectrolesEntities = [UserEntity, RoleEntity, ProjectEntity, RoleAssignmentEntity];
