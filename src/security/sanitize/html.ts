import sanitize from 'sanitize-html';

/**
 * The allow-list for rich text a site echoes back: formatting, lists, quotes, code and links.
 * No images, media, forms, frames, SVG/MathML, styles or event handlers; links only to
 * http(s)/mailto and always `rel="noopener noreferrer nofollow"`.
 */
const OPTIONS: sanitize.IOptions = {
  allowedTags: [
    'a', 'b', 'blockquote', 'br', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'ins',
    'kbd', 'li', 'mark', 'ol', 'p', 'pre', 's', 'small', 'strong', 'sub', 'sup', 'u', 'ul',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  allowedStyles: {},
  disallowedTagsMode: 'discard',
  // Dropped together with their content, not just unwrapped.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math', 'template', 'xmp', 'noembed', 'noframes', 'title'],
  enforceHtmlBoundary: false,
  parseStyleAttributes: false,
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow' } }),
  },
};

/**
 * Sanitises untrusted HTML for display with a strict allow-list (sanitize-html). Anything not
 * allowed is removed; script-bearing elements go with their content.
 *
 * @example sanitizeHtml('<p onclick="x()">Hi <script>alert(1)</script></p>') // '<p>Hi </p>'
 */
export function sanitizeHtml(html: unknown): string {
  if (typeof html !== 'string') return '';
  return sanitize(html, OPTIONS);
}
