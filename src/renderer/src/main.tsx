// Dev only: React Fast Refresh's preamble as a module, because the CSP (script-src 'self') blocks
// the inline script the React plugin injects. Empty in a production build.
import '@vitejs/plugin-react/preamble';
// connection.ts reads and strips the one-time `#token=…` from the URL as it is imported; it must
// run before the hash router below reads the hash as a screen.
import './api/connection';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startHashRouting } from './store/screen';
import { applyTheme, rememberedTheme } from './theme';
import './styles.css';

// Paint in the last theme straight away; the setting itself arrives once connected.
applyTheme(rememberedTheme());
startHashRouting();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
