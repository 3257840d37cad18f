import { describe, expect, it } from 'vitest';
import { toUpperSnake } from './text.js';

describe('toUpperSnake', () => {
  it('folds accents and special Latin letters', () => {
    expect(['Prénom', 'Straße', 'Número de teléfono', 'Łódź', 'Ærø', 'E-mail-Adresse'].map((t) => toUpperSnake(t))).toEqual([
      'PRENOM',
      'STRASSE',
      'NUMERO_DE_TELEFONO',
      'LODZ',
      'AERO',
      'E_MAIL_ADRESSE',
    ]);
  });

  it('romanises Cyrillic and Greek, in capitals too, without splitting a letter', () => {
    expect(['Имя пользователя', 'Пароль', 'ЖУРНАЛ регистрации', 'Щит', 'Ελληνικά'].map((t) => toUpperSnake(t))).toEqual([
      'IMYA_POLZOVATELYA',
      'PAROL',
      'ZHURNAL_REGISTRATSII',
      'SHCHIT',
      'ELLINIKA',
    ]);
  });

  it('splits camelCase, keeps digits, and yields nothing for scripts it cannot romanise', () => {
    expect(toUpperSnake('userName')).toBe('USER_NAME');
    expect(toUpperSnake('HTMLParser2')).toBe('HTML_PARSER2');
    expect(toUpperSnake('名前')).toBe('');
    expect(toUpperSnake('a b c d e f g', 3)).toBe('A_B_C');
  });
});
