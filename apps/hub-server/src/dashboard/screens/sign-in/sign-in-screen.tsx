import type { ErrorBody } from '@retail/domain';
import { useState, type FormEvent } from 'react';
import { useServices, useSession } from '../../app/dashboard-context';
import { ErrorBanner } from '../../components/feedback';
import { t } from '../../i18n/translate';

export function SignInScreen() {
  const { api, session } = useServices();
  const notice = useSession((state) => (state.phase === 'signed-out' ? state.notice : null));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ErrorBody | null>(null);
  const [working, setWorking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (username.trim() === '' || password === '') {
      setError({ code: 'INVALID_INPUT', message: t('signIn.missing') });
      return;
    }
    setWorking(true);
    const result = await api.login(username.trim(), password);
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    const { token, expiresAt, user } = result.value;
    session.getState().signedIn({ token, expiresAt, user });
  };

  return (
    <main id="content" className="sign-in">
      <h1>{t('signIn.title')}</h1>
      {notice === null ? null : (
        <p className="banner banner-warning" role="status">
          {notice}
        </p>
      )}
      <form aria-label={t('signIn.title')} onSubmit={(event) => void submit(event)} className="stack">
        <label>
          {t('signIn.username')}
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            autoFocus
          />
        </label>
        <label>
          {t('signIn.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <ErrorBanner error={error} />
        <button type="submit" className="btn btn-primary" disabled={working}>
          {working ? t('signIn.working') : t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
