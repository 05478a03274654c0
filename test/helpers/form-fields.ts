/**
 * What a browser would post from a page's form: every input, select and textarea with its
 * current value (checked checkboxes as "on"), so a test changes only the fields it means to.
 */
import type supertest from 'supertest';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&#34;': '"', '&quot;': '"', '&#39;': "'" };
const decode = (text: string) => text.replace(/&(amp|lt|gt|quot|#34|#39);/g, (entity) => ENTITIES[entity] ?? entity);
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** The fields of the page's main form: the `<form method="post">` with the most fields (the layout has small ones, logout say). */
export function formValues(html: string): Record<string, string> {
  const forms = [...html.matchAll(/<form method="post"[\s\S]*?<\/form>/g)].map((match) => match[0]);
  const fieldCount = (form: string) => form.match(/\sname="/g)?.length ?? 0;
  const form = forms.sort((a, b) => fieldCount(b) - fieldCount(a))[0] ?? '';
  const values: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input[^>]*>/g)) {
    const name = attr(tag, 'name');
    if (!name) continue;
    if (attr(tag, 'type') === 'checkbox') {
      if (/\schecked/.test(tag)) values[name] = 'on';
    } else values[name] = decode(attr(tag, 'value') ?? '');
  }
  for (const [, open = '', body = ''] of form.matchAll(/<select([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = attr(open, 'name');
    const options = [...body.matchAll(/<option([^>]*)>/g)].map((match) => match[1] ?? '');
    const chosen = options.find((option) => /\sselected/.test(option)) ?? options[0];
    if (name && chosen !== undefined) values[name] = decode(attr(chosen, 'value') ?? '');
  }
  for (const [, open = '', body = ''] of form.matchAll(/<textarea([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = attr(open, 'name');
    if (name) values[name] = decode(body);
  }
  return values;
}

/** GETs `url`, then posts its form with `changes` applied (null: leave the field out, e.g. uncheck); checks the status when `expected` is given. */
export async function submitForm(agent: ReturnType<typeof supertest.agent>, url: string, changes: Record<string, string | null> = {}, expected?: number) {
  const page = await agent.get(url).expect(200);
  const values = formValues(page.text);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete values[name];
    else values[name] = value;
  }
  const post = agent.post(url).type('form').send(values);
  if (expected === undefined) return post;
  const res = await post;
  // The form's messages make a failure readable.
  const messages = [...res.text.matchAll(/(?:id="sodar-form-error"|invalid-feedback d-block")>([^<]*)/g)].map((match) => match[1]);
  if (res.status !== expected) throw new Error(`${url}: expected ${expected}, got ${res.status} ${messages.join('; ')}`);
  return res;
}
