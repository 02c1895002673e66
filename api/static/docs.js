/* /docs: starts Swagger UI (its files are served by the service itself, see api/pages.py) on the
 * service's OpenAPI schema. An external file, so that the page keeps a CSP without inline scripts. */
(() => {
  'use strict';
  const script = document.currentScript;
  const url = (script && script.dataset.openapiUrl) || '/openapi.json';
  const root = document.getElementById('swagger-ui');

  // What Swagger UI leaves out for assistive technologies: names for its icon buttons and for the
  // request body's text area; scrollable code blocks reachable with the keyboard.
  const complete = () => {
    for (const el of root.querySelectorAll('.copy-to-clipboard > button:not([aria-label])')) el.setAttribute('aria-label', 'Copier');
    for (const el of root.querySelectorAll('textarea.body-param__text:not([aria-label])')) el.setAttribute('aria-label', 'Corps de la requête (JSON)');
    for (const el of root.querySelectorAll('.highlight-code > pre:not([tabindex])')) el.setAttribute('tabindex', '0');
  };

  const start = () => {
    new MutationObserver(complete).observe(root, { childList: true, subtree: true });
    window.ui = window.SwaggerUIBundle({
      url,
      dom_id: '#swagger-ui',
      layout: 'BaseLayout',
      presets: [window.SwaggerUIBundle.presets.apis],
      deepLinking: false, // its links sit inside the operations' toggle buttons (nested controls)
      showExtensions: true,
      showCommonExtensions: true,
      validatorUrl: null, // no call to the public validator
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
})();
