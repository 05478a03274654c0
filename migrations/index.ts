/** Every migration of the built-in apps, in order. Plugins add their own (registry.migrations()). */
import { ProjectrolesUsersSessions1764000000000 } from './1764000000000-ProjectrolesUsersSessions';
import { ProjectrolesPlugins1764000001000 } from './1764000001000-ProjectrolesPlugins';
import { ProjectrolesProjects1764000002000 } from './1764000002000-ProjectrolesProjects';
import { ProjectrolesAppSettings1764000003000 } from './1764000003000-ProjectrolesAppSettings';

export const builtInMigrations = [ProjectrolesUsersSessions1764000000000, ProjectrolesPlugins1764000001000, ProjectrolesProjects1764000002000, ProjectrolesAppSettings1764000003000];
