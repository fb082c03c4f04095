/**
 * A small INI reader/writer for OBS's global.ini / user.ini / basic.ini and Alibaba's credentials file.
 * Writing preserves every line it does not change (order, comments, blank lines), so `uninstall` can
 * restore byte for byte and a user's hand edits survive.
 */
export type IniSections = Map<string, Map<string, string>>;

export function parseIni(text: string): IniSections {
  const out: IniSections = new Map();
  let current = new Map<string, string>();
  out.set('', current);
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      const name = sec[1]!.trim();
      current = out.get(name) ?? new Map();
      out.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    current.set(line.slice(0, eq).trim(), unquote(line.slice(eq + 1).trim()));
  }
  return out;
}

function unquote(v: string): string {
  return v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))
    ? v.slice(1, -1)
    : v;
}

/**
 * Returns `text` with `[section] key=value` set (added at the end of the section, or a new section at
 * the end of the file). Other lines are kept exactly. `value === undefined` removes the key.
 */
export function setIniValue(text: string, section: string, key: string, value: string | undefined): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.length ? text.split(/\r?\n/) : [];
  const trailing = lines.length > 0 && lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  let inSection = false;
  let sectionEnd = -1;
  let found = -1;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    const sec = /^\[(.+)\]$/.exec(t);
    if (sec) {
      inSection = sec[1]!.trim() === section;
      if (inSection) sectionEnd = i + 1;
      continue;
    }
    if (!inSection) continue;
    if (t) sectionEnd = i + 1;
    const eq = t.indexOf('=');
    if (eq > 0 && t.slice(0, eq).trim() === key) found = i;
  }
  if (found >= 0) {
    if (value === undefined) lines.splice(found, 1);
    else lines[found] = `${key}=${value}`;
  } else if (value !== undefined) {
    if (sectionEnd >= 0) lines.splice(sectionEnd, 0, `${key}=${value}`);
    else {
      if (lines.length && lines[lines.length - 1]!.trim() !== '') lines.push('');
      lines.push(`[${section}]`, `${key}=${value}`);
    }
  }
  return lines.join(eol) + (trailing || lines.length ? eol : '');
}
