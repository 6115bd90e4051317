/**
 * A strict little XML reader for the JUnit tests: elements, double-quoted attributes, text and the
 * predefined and numeric entities. It throws on anything a real parser would reject that a writer
 * could get wrong (unescaped < or &, mismatched tags, characters XML 1.0 cannot carry).
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (not its children's), entities decoded. */
  text: string;
}

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`raw < in ${where}`);
  return raw.replace(/&([^;]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new Error(`bare & in ${where}: ${whole}`);
    if (name in NAMED) return NAMED[name] as string;
    const code = name.startsWith('#x')
      ? parseInt(name.slice(2), 16)
      : name.startsWith('#')
        ? Number(name.slice(1))
        : NaN;
    if (!Number.isInteger(code)) throw new Error(`unknown entity &${name}; in ${where}`);
    const c = String.fromCodePoint(code);
    if (FORBIDDEN.test(c))
      throw new Error(`character reference to a forbidden character &${name}; in ${where}`);
    return c;
  });
}

export function parseXml(xml: string): XmlElement {
  if (FORBIDDEN.test(xml)) throw new Error('document contains a character XML 1.0 forbids');
  let pos = 0;
  const prolog = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (prolog) pos = prolog[0].length;
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.:-]+="[^"]*")*)\s*(\/?)>/y;
  while (pos < xml.length) {
    const next = xml.indexOf('<', pos);
    const top = stack[stack.length - 1] as XmlElement;
    const text = xml.slice(pos, next === -1 ? xml.length : next);
    if (text) {
      if (text.includes('>') && top !== root) throw new Error(`raw > in text of <${top.name}>`);
      top.text += decode(text, `<${top.name}>`);
    }
    if (next === -1) break;
    tag.lastIndex = next;
    const m = tag.exec(xml);
    if (!m) throw new Error(`malformed tag at ${next}: ${xml.slice(next, next + 60)}`);
    const [, closing, name = '', attrText = '', selfClosing] = m;
    pos = tag.lastIndex;
    if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w.:-]+)="([^"]*)"/g)) {
      const key = a[1] as string;
      if (key in attrs) throw new Error(`duplicate attribute ${key} on <${name}>`);
      attrs[key] = decode(a[2] as string, `${name}@${key}`);
    }
    const el: XmlElement = { name, attrs, children: [], text: '' };
    top.children.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (root.children.length !== 1 || root.text.trim()) throw new Error('not exactly one root element');
  return root.children[0] as XmlElement;
}

/** All descendants named `name`, depth first. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)]);
}
