import { describe, expect, it } from 'vitest';
import { detectPurpose, purposeName, purposeScores, type FormSignals } from './forms.js';
import { WebMCPProcessor } from './processor.js';

/** Signals of a form: `fields` are roles; words are what the form's labels, names and attributes say. */
function signals(fields: string[], text: string, attrs = ''): FormSignals {
  const textLike = ['input.text', 'input.email', 'input.tel', 'input.url', 'input.search', 'input.number', 'input.textarea', 'input.password'];
  return {
    roles: fields,
    text: text.toLowerCase(),
    attrs: attrs.toLowerCase(),
    passwordCount: fields.filter((f) => f === 'input.password').length,
    hasEmail: fields.includes('input.email') || /e-?mail/i.test(text),
    textLikeCount: fields.filter((f) => textLike.includes(f)).length,
  };
}

describe('detectPurpose: shape decides the clear cases', () => {
  it.each([
    [['input.text', 'input.password', 'action.submit'], 'user pass go', '', 'login'],
    [['input.email', 'input.password', 'input.password', 'action.submit'], 'email pass1 pass2 go', '', 'signup'],
    // One password but personal data a login never asks for.
    [['input.select', 'input.text', 'input.email', 'input.password', 'action.submit'], 'gender pseudo email password valider', '', 'signup'],
    [['input.search', 'action.submit'], 'q go', '', 'search'],
    [['input.text', 'action.submit'], 'q', '', 'search'],
    [['input.email', 'action.submit'], 'email ok', '', 'newsletter'],
    [['input.text', 'input.email', 'input.textarea', 'action.submit'], 'name email body send', '', 'contact'],
    [['input.select', 'action.submit'], 'lang', 'register', 'other'],
    [[], '', '', 'other'],
  ])('%j %s [%s] -> %s', (fields, text, attrs, purpose) => {
    expect(detectPurpose(signals(fields, text, attrs))).toBe(purpose);
  });
});

describe('detectPurpose: words decide the rest, in many languages', () => {
  it.each([
    [['input.text', 'action.submit'], 'поиск по сайту', 'search'],
    [['input.text', 'action.submit'], 'suchbegriff suchen', 'search'],
    [['input.text', 'action.submit'], '検索', 'search'],
    [['input.text', 'input.password'], 'giriş kullanıcı şifre', 'login'],
    [['input.email', 'action.submit'], 'passwort vergessen e-mail', 'password_recovery'],
    [['input.email', 'action.submit'], 'mot de passe oublié adresse email', 'password_recovery'],
    [['input.text', 'input.email', 'input.text', 'action.submit'], 'login email cpf prosseguir recuperação de senha', 'password_recovery'],
    [['input.text', 'action.button'], 'パスワードを忘れた メールアドレス', 'password_recovery'],
    [['input.email', 'action.submit'], 'abonnez-vous à notre newsletter', 'newsletter'],
    [['input.text', 'input.text', 'input.email', 'input.password', 'input.password'], 'registrácia meno mail heslo', 'signup'],
    [['input.text', 'input.email', 'input.textarea'], 'nombre correo mensaje enviar', 'contact'],
    [['action.submit'], 'paypal - the safer, easier way to pay online', 'checkout'],
    [['input.number', 'action.submit'], 'qty add to cart', 'checkout'],
  ])('%j %s -> %s', (fields, text, purpose) => {
    expect(detectPurpose(signals(fields, text))).toBe(purpose);
  });

  it('a login form that links to registration is still a login form', () => {
    const s = signals(['input.text', 'input.password', 'action.submit', 'action.navigate', 'action.navigate'], 'member id / email address: password: login forgot password registration', 'becoming a member or renewing');
    expect(detectPurpose(s)).toBe('login');
  });

  it('only word boundaries count, in every script (no "search" inside "research", no "вход" inside "входящие")', () => {
    expect(purposeScores(signals(['input.select'], 'research papers')).get('search') ?? 0).toBeLessThanOrEqual(0);
    expect(purposeScores(signals(['input.text', 'input.password'], 'входящие')).get('login')).toBe(6);
    expect(purposeScores(signals(['input.text', 'input.password'], 'вход')).get('login')).toBe(9);
  });
});

describe('purpose names', () => {
  it('names forms by purpose', () => {
    expect(purposeName('password_recovery')).toBe('PASSWORD_RECOVERY');
    expect(purposeName('other')).toBe('FORM');
  });
});

describe('through the processor', () => {
  const doc = new WebMCPProcessor({ cache: false }).processSync(
    `<title>Konto</title>
    <form action="/suche"><input name="suchbegriff" aria-label="Suchbegriff"><button>Suchen</button></form>
    <h2>Anmelden</h2><form method="post" action="/login"><label>E-Mail <input type="email" name="email"></label><label>Passwort <input type="password" name="pw"></label><button>Anmelden</button></form>
    <h2>Passwort vergessen?</h2><form method="post" action="/reset"><label>E-Mail <input type="email" name="mail"></label><button>Link senden</button></form>
    <form action="https://www.paypal.com/cgi-bin/webscr" method="post"><input type="hidden" name="cmd" value="_s-xclick"><input type="image" name="submit" alt="PayPal - The safer, easier way to pay online!" src="b.gif"></form>`,
    { url: 'https://shop.test/konto' },
  );
  it('detects each form and names it by purpose', () => {
    expect(doc.forms.map((f) => [f.name, f.purpose])).toEqual([
      ['SEARCH', 'search'],
      ['LOGIN', 'login'],
      ['PASSWORD_RECOVERY', 'password_recovery'],
      ['CHECKOUT', 'checkout'],
    ]);
    expect(doc.context.purpose).toBe('login');
  });
});
