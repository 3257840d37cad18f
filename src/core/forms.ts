import { getAttr, type ElementNode } from './dom.js';
import type { FormPurpose } from './types.js';

/** Hidden fields that carry anti-forgery tokens in common frameworks (Rails, Django, Laravel, ASP.NET, Spring, WordPress, Magento, Moodle, vBulletin, Discuz!, ...). */
const CSRF_FIELD =
  /^(?:_?csrf(?:_?token|middlewaretoken|_?param)?|_?xsrf(?:_?token)?|authenticity_token|__requestverificationtoken|_token|csrfmiddlewaretoken|form_key|formkey|form_token|form_build_id|anti_?forgery(?:_?token)?|__?csrf_magic|nonce|_wpnonce|sesskey|securitytoken|formhash|[a-z0-9_-]*(?:csrf|xsrf)[a-z0-9_-]*|token)$/i;

/** The name of a form's anti-forgery field, if it has one. Only the name is ever reported, never the value. */
export function csrfField(hiddenInputs: readonly ElementNode[] | undefined): string | undefined {
  if (!hiddenInputs) return undefined;
  for (const h of hiddenInputs) {
    const name = getAttr(h, 'name');
    if (name && CSRF_FIELD.test(name.trim())) return name;
  }
  return undefined;
}

export interface FormSignals {
  /** Field roles of the form's controls. */
  roles: string[];
  /** Lower-cased words: labels, names, ids, placeholders, autocomplete tokens, button labels. */
  text: string;
  /** Form attributes: id, name, class, action, plus the heading before it. */
  attrs: string;
  passwordCount: number;
  hasEmail: boolean;
  textLikeCount: number;
}

/**
 * A pattern for words of any script: `\b` only knows ASCII, so boundaries are "no letter or
 * digit on either side". CJK words are written without spaces and are matched as they are.
 */
function lexicon(words: readonly string[], cjk: readonly string[] = []): RegExp {
  const bounded = `(?<![\\p{L}\\p{N}])(?:${words.join('|').replace(/\\w\*/g, '\\p{L}*')})(?![\\p{L}\\p{N}])`;
  return new RegExp(cjk.length ? `${bounded}|${cjk.join('|')}` : bounded, 'gu');
}

/** Words that speak of a purpose, in the languages most pages are written in, with their weight. */
const SCORES: ReadonlyArray<readonly [FormPurpose, RegExp, number]> = [
  ['search', lexicon(['search\\w*', 'find', 'query', 'keywords?', 'look ?up', 'such\\w*', 'buscar', 'busca', 'búsqueda', 'recherche\\w*', 'cerca', 'ricerca', 'zoek\\w*', 'поиск\\w*', 'найти', 'sök', 'szukaj', 'hledat', 'pesquisa\\w*', 'q', 's'], ['検索', '搜索', '검색']), 3],
  ['login', lexicon(['log ?in', 'sign ?in', 'signin', 'login', 'logon', 'log on', 'anmelden', 'einloggen', 'connexion', 'se connecter', 'iniciar sesi[oó]n', 'entrar', 'acceder', 'accedi', 'accesso', 'inloggen', 'zaloguj\\w*', 'prihl[aá]s\\w*', 'přihl[aá]s\\w*', 'giriş', 'войти', 'вход', 'current-password', 'remember me', 'stay signed', 'keep me'], ['ログイン', '登录', '登入', '로그인']), 3],
  ['signup', lexicon(['sign ?up', 'signup', 'register\\w*', 'registr\\w*', 'create (?:an |your |a new )?account', 'new account', 'join', 'inscri\\w*', 'cadastr\\w*', 'iscriviti', 'iscrizione', 'membership', 'become a member', 'konto erstellen', 'créer (?:un |votre )?compte', 'crear (?:una |tu )?cuenta', 'criar (?:uma |sua )?conta', 'зарегистр\\w*', 'регистрац\\w*', 'new-password', 'confirm password', 'repeat password', 'retype', 'password again', 'agree to', 'terms'], ['会員登録', '新規登録', '注册', '회원가입']), 3],
  ['password_recovery', lexicon(['(?:forgot|forgotten|reset|recover|lost) (?:your |my )?(?:password|passwd|pwd)', 'password (?:reset|recovery)', 'recover(?:y)?', 'mot de passe oubli\\w*', 'passwort vergessen', 'passwort zurück\\w*', 'contraseña olvidada', 'olvid\\w* (?:su |tu )?contraseña', 'recuperar (?:a |la |sua |tu )?(?:contraseña|senha)', 'recupera\\w* de senha', 'esquec\\w* (?:a |sua )?senha', 'password dimenticata', 'wachtwoord vergeten', 'забыли пароль', 'восстановлени\\w* пароля'], ['パスワードを?(?:忘れ|再設定|リセット|再発行)', '忘记密码', '找回密码', '비밀번호 찾기']), 4],
  ['newsletter', lexicon(['newsletters?', 'subscribe', 'subscription', 'mailing list', 'sign up for (?:our )?(?:emails?|updates)', 'updates', 'e-?mail updates', 'get (?:our )?news', 'abonn\\w*', 'suscrib\\w*', 'inscreva', 'рассылк\\w*', 'подписаться'], ['メルマガ', '订阅']), 3],
  ['contact', lexicon(['contact\\w*', 'message', 'enquiry', 'inquiry', 'feedback', 'subject', 'get in touch', 'send us', 'kontakt\\w*', 'nachricht', 'mensaje', 'mensagem', 'messaggio', 'обратная связь'], ['お問い合わせ', '联系']), 2],
  ['comment', lexicon(['comments?', 'reply', 'post comment', 'leave a reply', 'review', 'kommentar\\w*', 'commentaire\\w*', 'comentario\\w*', 'commento', 'комментари\\w*']), 2],
  ['checkout', lexicon(['checkout', 'check out', 'payment', 'pay now', 'place order', 'billing', 'shipping', 'card number', 'cc-number', 'cvv', 'cvc', 'expir\\w*', 'add to (?:cart|basket|bag)', 'quantity', 'qty', 'coupon', 'promo', 'paypal', 'webscr', 'cart', 'basket', 'warenkorb', 'panier', 'carrito', 'carrello', 'winkelwagen', 'корзин\\w*', 'donate'], ['カート', '购物车']), 3],
  ['settings', lexicon(['settings', 'preferences', 'profile', 'save changes', 'update profile', 'account details']), 2],
];

/** Fields a login never asks for: a form with them and a password is a registration. */
const PERSONAL = lexicon(['first ?name', 'last ?name', 'surname', 'fname', 'lname', 'full ?name', 'gender', 'sex', 'birth\\w*', 'dob', 'birthday', 'phone', 'mobile', '(?<!e-?mail |ip |web )address', 'zip', 'postal', 'postcode', 'city', 'country', 'company', 'nationality']);
const RECOVERY_HINT = /recover|reset|forgot|oubli|vergessen|olvid|esquec|recupera|dimentica|vergeten|забыли|восстанов|忘れ|再設定|忘记|找回/;

function count(re: RegExp, text: string, cap: number): number {
  re.lastIndex = 0;
  let n = 0;
  while (n < cap && re.exec(text)) n++;
  return n;
}

/**
 * What a form is for, from its own words and shape — deterministic, no model calls.
 * Shape decides the clear cases (password + confirmation = signup, one password = login unless
 * the form asks for personal data, one search box = search); words decide the rest.
 */
export function detectPurpose(s: FormSignals): FormPurpose {
  let best: FormPurpose = 'other';
  let bestScore = 2;
  for (const [p, v] of purposeScores(s)) {
    if (v > bestScore) {
      best = p;
      bestScore = v;
    }
  }
  return best;
}

/** The evidence for each purpose (words weighted by kind, plus shape); the best above 2 wins. */
export function purposeScores(s: FormSignals): Map<FormPurpose, number> {
  const all = `${s.text} ${s.attrs}`;
  const score = new Map<FormPurpose, number>();
  const add = (p: FormPurpose, n: number): void => {
    score.set(p, (score.get(p) ?? 0) + n);
  };
  for (const [purpose, re, weight] of SCORES) {
    const n = count(re, all, 3);
    if (n) add(purpose, weight * n);
  }
  const personal = new Set(s.text.match(PERSONAL) ?? []).size;
  const selects = s.roles.filter((r) => r === 'input.select').length;
  const hasTextarea = s.roles.includes('input.textarea');
  if (s.passwordCount >= 2) add('signup', 8);
  else if (s.passwordCount === 1) {
    add('login', 6);
    if (s.textLikeCount >= 4 || personal >= 1) {
      add('signup', 6 + Math.min(personal, 3));
      add('login', -3);
    }
  }
  if (s.roles.includes('input.search')) add('search', 6);
  if (s.textLikeCount === 1 && s.passwordCount === 0) {
    if (s.hasEmail) add('newsletter', 3);
    else add('search', 2);
  }
  if (s.hasEmail && s.passwordCount === 0 && hasTextarea) add('contact', 4);
  if (s.passwordCount === 0) add('login', -4);
  if (s.passwordCount > 0) add('search', -6);
  if (s.passwordCount === 0 && s.textLikeCount <= 2 && s.textLikeCount >= 1 && RECOVERY_HINT.test(all)) add('password_recovery', 6);
  // Only choices and no text to type: display options (sort, language, currency), not an account or a message.
  if (s.textLikeCount === 0 && s.passwordCount === 0 && selects > 0) {
    for (const p of ['login', 'signup', 'contact', 'newsletter', 'password_recovery', 'comment'] as const) add(p, -6);
  }
  return score;
}

const PURPOSE_NAMES: Record<FormPurpose, string> = {
  login: 'LOGIN',
  signup: 'SIGNUP',
  search: 'SEARCH',
  contact: 'CONTACT',
  checkout: 'CHECKOUT',
  newsletter: 'NEWSLETTER',
  password_recovery: 'PASSWORD_RECOVERY',
  comment: 'COMMENT',
  settings: 'SETTINGS',
  other: 'FORM',
};

export function purposeName(p: FormPurpose): string {
  return PURPOSE_NAMES[p];
}
