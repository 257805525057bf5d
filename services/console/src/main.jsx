import { createRoot } from 'react-dom/client';
import { signIn } from './auth.js';
import { App } from './app.jsx';
import './styles.css';

const root = createRoot(document.getElementById('root'));
root.render(<div className="loading boot">Strata…</div>);
signIn().then(
  (user) => root.render(<App user={user} />),
  (error) =>
    root.render(
      <div className="error boot" role="alert">
        Sign-in failed: {String(error?.message ?? error)}. <a href="./">Try again</a>
      </div>,
    ),
);
