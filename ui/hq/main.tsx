import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initialLang } from '../src/i18n';
import { App } from './App';
import '../src/styles.css';
import './hq.css';

document.documentElement.lang = initialLang();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
