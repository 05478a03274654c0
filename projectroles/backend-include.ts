/**
 * Template helper `backendInclude(name, 'js' | 'css')` (SODAR's `get_backend_include`):
 * the tag for a backend plugin's script or stylesheet, or '' when the plugin is inactive,
 * declares none, or the file does not exist.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BackendPluginPoint } from './plugin-points';
import type { PluginRegistry } from './registry';

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function backendIncludeHelper(registry: PluginRegistry): (name: string, kind: 'js' | 'css') => string {
  const exists = new Map<string, boolean>();
  const fileExists = (file: string) => {
    if (!exists.has(file)) exists.set(file, fs.existsSync(file));
    return exists.get(file)!;
  };
  return (name, kind) => {
    const entry = registry.all().find((e) => e.type === 'backend' && e.plugin.name === name);
    if (!entry || !registry.isActive(entry) || !entry.origin.dir) return '';
    const plugin = entry.plugin as BackendPluginPoint;
    const relative = kind === 'js' ? plugin.javascriptUrl : plugin.cssUrl;
    if (!relative || !fileExists(path.join(entry.origin.dir, 'static', relative))) return '';
    const url = escapeAttribute(`/static/plugins/${name}/${relative}`);
    return kind === 'js' ? `<script src="${url}"></script>` : `<link rel="stylesheet" href="${url}">`;
  };
}
