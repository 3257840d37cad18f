import fc from 'fast-check';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { describe, expect, it } from 'vitest';
import { corpusAvailable, loadCorpus } from '../../bench/corpus.js';
import { parseDocument, textContent, type ChildNode, type ParentNode } from './dom.js';

type P5Node = DefaultTreeAdapterMap['node'];
const SKIP_TEXT = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'noembed', 'noframes', 'xmp', 'plaintext']);

/** Canonical form of parse5's own tree: elements, attributes, text (minus what our tree drops by design). */
function canonicalParse5(node: P5Node, out: string[], parentTag = ''): void {
  const kids = 'childNodes' in node ? node.childNodes : [];
  for (const c of kids) {
    if (c.nodeName === '#comment' || c.nodeName === '#documentType') continue;
    if (c.nodeName === '#text') {
      if (!SKIP_TEXT.has(parentTag)) pushText(out, (c as { value: string }).value);
      continue;
    }
    const el = c as DefaultTreeAdapterMap['element'];
    out.push(`<${el.tagName} ${el.namespaceURI} ${el.attrs.map((a) => `${a.prefix ?? ''}:${a.name}=${a.value}`).join(' ')}>`);
    const type = el.attrs.find((a) => a.name === 'type')?.value.trim().toLowerCase();
    const tag = el.tagName === 'script' && type === 'application/webmcp+json' ? 'script-webmcp' : el.tagName;
    if (el.tagName === 'template' && (el as DefaultTreeAdapterMap['template']).content) {
      out.push('[content]');
      canonicalParse5((el as DefaultTreeAdapterMap['template']).content as unknown as P5Node, out, '');
      out.push('[/content]');
    }
    canonicalParse5(el as unknown as P5Node, out, tag);
    out.push(`</${el.tagName}>`);
  }
}

function canonicalOurs(node: ParentNode, out: string[]): void {
  const kids: ChildNode[] = node.children;
  for (const c of kids) {
    if (c.kind === 3) {
      pushText(out, c.text);
      continue;
    }
    out.push(`<${c.tag} ${c.ns} ${c.attrs.map((a) => `${a.prefix ?? ''}:${a.name}=${a.value}`).join(' ')}>`);
    if (c.content) {
      out.push('[content]');
      canonicalOurs(c.content, out);
      out.push('[/content]');
    }
    canonicalOurs(c, out);
    out.push(`</${c.tag}>`);
  }
}

/** Adjacent text merges: parse5 keeps comments between text nodes, our tree drops comments. */
function pushText(out: string[], text: string): void {
  const last = out.length - 1;
  if (last >= 0 && out[last].startsWith('#')) out[last] += text;
  else out.push('#' + text);
}

function same(html: string): void {
  let tree: P5Node;
  try {
    tree = parse(html) as unknown as P5Node;
  } catch (err) {
    // parse5 itself throws on some lone surrogates; we then parse the well-formed text (see below).
    if (!(err instanceof RangeError)) throw err;
    tree = parse(html.toWellFormed()) as unknown as P5Node;
  }
  const a: string[] = [];
  const b: string[] = [];
  canonicalParse5(tree, a);
  canonicalOurs(parseDocument(html), b);
  expect(b).toEqual(a);
}

describe('parseDocument builds the same tree as parse5', () => {
  it.skipIf(!corpusAvailable())('on every corpus page', async () => {
    const corpus = await loadCorpus();
    expect(corpus.pages.length).toBeGreaterThan(70);
    for (const page of corpus.pages) same(page.html);
  });

  it('on tricky markup: CR/LF, NUL, surrogates, entities, script escapes, misnesting, tables, foreign content', () => {
    const cases = [
      'a\r\nb\rc\n\rd<p title="x\r\ny">e\r</p>',
      '<div a=b\0c>x\0y<!--c\0-->',
      '<p>😀 \ud800 x \udc00 y 𝒜</p><a title="😀\ud83d">z</a>',
      '<p>&amp; &lt;x &notit; &#x1F600; &#0; &#xD800;</p><a href="?a=1&b=2&amp;c&copy=3">',
      '<script><!-- <script> </script> --> x</script><p>after</p>',
      '<script><!--</script><p>z',
      '<style>p{}</style><textarea>a&amp;<b></textarea><title>t&lt;</title><xmp><b></xmp>',
      '<b><p>x</b>y</p><a><div><a>z</div>',
      '<table><tr><td>a<form><input name=q></form><p>b</table>x<table>y<tr>z',
      '<svg><foreignObject><p>x</p></foreignObject><desc><b>d</b></desc></svg><math><mi>x</mi></math>',
      '<select><option>a<option>b<div>c</div><input></select>',
      '<template><input name=a><tr><td>x</template><plaintext><b>x</b>',
      "<a href=x'y z=`w` v='a\"b' u=\"c'd\" t=e<f>q</a>",
      '<!-- a -- b --!> <!--> <!---> x',
      '<noscript><b>x</b></noscript><iframe><b>y</b></iframe>',
      '<frameset><frame></frameset>',
      '\ufeff<!DOCTYPE html><html lang=en><body a=1><body b=2>',
    ];
    for (const html of cases) same(html);
  });

  it('never throws on lone surrogates, which make parse5 7.3 itself throw', () => {
    expect(() => parse('\ude00\ude00')).toThrow(RangeError);
    const doc = parseDocument('<p title="\ude00\ude00">\ude00\ude00</p>');
    expect(textContent(doc).trim()).toBe('\ufffd\ufffd');
  });

  it('on random markup', () => {
    const piece = fc.oneof(
      fc.constantFrom('<', '>', '&', '"', "'", '=', '/', '-', '!', '\r', '\n', '\r\n', '\0', ' ', '\t', '\f', '\v', '\u00a0', 'é', '\u2028', '\ufffd', '`', '\ud83d', '\ude00', '😀', '&amp;', '&#x41;', '&copy', '<!--', '-->', '<![CDATA[', ']]>'),
      fc.constantFrom('<p>', '</p>', '<b>', '</b>', '<a href=x>', '</a>', '<div>', '</div>', '<table>', '<tr>', '<td>', '</table>', '<form>', '</form>', '<input name=n>', '<select>', '<option>', '</select>', '<script>', '</script>', '<style>', '</style>', '<textarea>', '</textarea>', '<title>', '</title>', '<svg>', '</svg>', '<math>', '<template>', '</template>', '<noscript>', '<plaintext>', '<li>', '<ul>', '<button>', '<label for=n>', '<!DOCTYPE html>', '<DIV Class=X>', '<INPUT NAME=Q TYPE=Text>', '<SvG ViewBox="0 0 1 1"><foreignObject>', '<A HREF=x DaTa-X=1>', '<Ä é=1>', '<b\0c>', '<p a\0b=1>'),
      fc.string({ maxLength: 8 }),
      fc.constantFrom('<a title="', '" b=', "'x'", 'c=d e'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
        same(parts.join(''));
      }),
      { numRuns: 3000 },
    );
  });
});
