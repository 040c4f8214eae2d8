import { useI18n } from '../i18n';

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="lang-switch">
      <span>{t('app.language')}</span>
      <select
        aria-label={t('app.language')}
        value={lang}
        onChange={(e) => setLang(e.target.value === 'en' ? 'en' : 'id')}
        data-testid="language"
      >
        <option value="id">Bahasa Indonesia</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}
