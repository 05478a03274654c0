/** Every migration of the built-in apps, in order. Drop-in plugins add their own. */
import { ProjectrolesUsersSessions1764000000000 } from './1764000000000-ProjectrolesUsersSessions';

export const builtInMigrations = [ProjectrolesUsersSessions1764000000000];
