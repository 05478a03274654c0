/**
 * Settings in HTML forms (reference apps §5.5), shared by the project form, the user
 * settings form, the site settings page and the per-project "my settings" form: fields built
 * from definitions, and posted values read back into typed values with a message per field.
 * Rendered by views/projectroles/_setting_fields.ejs.
 */
import {
  AppSettingError,
  checkValue,
  coerceValue,
  optionLabel,
  optionsFor,
  optionValue,
  settingKey,
  type SettingDefinition,
  type SettingTarget,
  type SettingValue,
} from './app-setting-definitions';

export interface SettingField {
  /** `settings.<plugin>.<name>`: the input's name. */
  key: string;
  plugin: string;
  label: string;
  help: string;
  input: 'checkbox' | 'number' | 'text' | 'select' | 'textarea';
  /** What the input shows; empty for a secret. */
  value: string;
  checked: boolean;
  options: Array<{ value: string; label: string }>;
  placeholder: string;
  /** Shown to a superuser only (not user modifiable): labelled [HIDDEN]. */
  hidden: boolean;
  secret: boolean;
  /** Whether a stored value exists for a secret (the form says so without showing it). */
  secretSet: boolean;
  /** Lower-case project types, for the project form's script (`data-project-types`). */
  projectTypes: string;
}

/** A value as a form shows it. */
function shown(def: SettingDefinition, value: SettingValue): string {
  if (def.type === 'JSON') return JSON.stringify(value, null, 2);
  return String(value);
}

/**
 * The fields for `defs` with their current `values` (keyed `settings.<plugin>.<name>`). Not
 * user-modifiable settings are left out unless `superuser`.
 */
export function settingFields(defs: SettingDefinition[], values: Record<string, SettingValue>, options: { superuser: boolean; target: SettingTarget }): SettingField[] {
  return defs
    .filter((def) => def.userModifiable || options.superuser)
    .map((def) => {
      const key = settingKey(def);
      const value = values[key];
      const choices = optionsFor(def, options.target);
      const input: SettingField['input'] = choices ? 'select' : { BOOLEAN: 'checkbox', INTEGER: 'number', STRING: 'text', JSON: 'textarea' }[def.type] as SettingField['input'];
      return {
        key,
        plugin: def.plugin,
        label: `${def.label ?? `${def.plugin}.${def.name}`}${def.userModifiable ? '' : ' [HIDDEN]'}`,
        help: `${def.description ?? ''}${def.userModifiable ? '' : ' [HIDDEN FROM USERS]'}`.trim(),
        input,
        value: def.secret || value === undefined ? '' : shown(def, value),
        checked: value === true,
        options: (choices ?? []).map((option) => ({ value: String(optionValue(option)), label: optionLabel(option) })),
        placeholder: def.secret ? 'Set: enter a new value to replace it' : (def.placeholder ?? ''),
        hidden: !def.userModifiable,
        secret: def.secret,
        secretSet: def.secret && value !== undefined && value !== '' && JSON.stringify(value) !== '{}',
        projectTypes: def.projectTypes.map((type) => type.toLowerCase()).join(','),
      };
    });
}

export interface ReadSettings {
  /** Typed values by key, only for the fields the form had (a secret left empty is not among them: it keeps its value). */
  values: Map<SettingDefinition, SettingValue>;
  /** A message per key that did not validate. */
  errors: Record<string, string>;
}

/** Reads the posted values of `defs` (the same filter as settingFields). A checkbox not sent is false. */
export function readSettingForm(defs: SettingDefinition[], body: Record<string, unknown>, options: { superuser: boolean; target: SettingTarget }): ReadSettings {
  const values = new Map<SettingDefinition, SettingValue>();
  const errors: Record<string, string> = {};
  for (const def of defs.filter((d) => d.userModifiable || options.superuser)) {
    const key = settingKey(def);
    const raw = body[key];
    const text = typeof raw === 'string' ? raw : '';
    if (def.secret && text === '') continue;
    try {
      const posted = def.type === 'BOOLEAN' ? raw === 'on' || raw === 'true' || raw === '1' : coerceValue(def, def.type === 'INTEGER' && optionsFor(def, options.target) === null && text === '' ? '0' : text);
      values.set(def, checkValue(def, posted, options.target));
    } catch (error) {
      if (!(error instanceof AppSettingError)) throw error;
      errors[key] = def.type === 'JSON' && error.message.startsWith('Value is not valid JSON') ? `Invalid JSON\n${error.message}` : `Invalid value: ${error.message}`;
    }
  }
  return { values, errors };
}
