/* plan-assistant: embeddable chat widget. Plain JavaScript, no build step.
 * <script src="https://HOST/widget.js" data-title="…" data-plan="" data-lang="fr" data-mode="launcher" defer></script>
 * data-mode: launcher (default) | inline (+ data-target="#id"); data-plan: plan id filter; data-lang: fr | en;
 * data-api: API base (default: origin of this script). Server and user text only ever go in as text nodes. */
(() => {
'use strict';
const TAG = 'plan-assistant-chat';
const SCRIPT = document.currentScript ||
  [...document.querySelectorAll('script[src]')].filter((s) => /widget\.js([?#]|$)/.test(s.src)).pop();
const originOf = (u) => { try { return new URL(u, location.href).origin; } catch (e) { return location.origin; } };
const DEFAULT_API = SCRIPT && SCRIPT.src ? originOf(SCRIPT.src) : location.origin;
const FIRST_BYTE_MS = 15000; // no first byte within 15 s: the service is considered down
const IDLE_MS = 30000; // silence in the middle of a stream
const MAX_TURNS = 6;
// A longer list shows its first 5 actions and « Voir les N autres actions ».
const LIST = 5;
// A small screen: the opened panel covers the page and is a modal dialog (the same query as the CSS).
const SMALL = '(max-width:600px),(max-height:560px)';
// The service's setting that lists the sites allowed to embed the widget (api/settings.py).
const ORIGINS_SETTING = 'PLAN_ASSISTANT_ALLOWED_ORIGINS';

const TEXTS = {
  fr: {
    title: "Assistant des plans d'action", open: "Ouvrir l'assistant des plans d'action", launcher: 'Assistant',
    close: "Fermer l'assistant", restart: 'Nouvelle conversation', expand: 'Agrandir le panneau',
    welcome: "Posez une question sur les plans d'action. Les réponses citent leurs actions.",
    exTitle: 'Exemples de questions\u00a0:',
    log: 'Conversation', label: 'Votre question', hint: 'Entrée pour envoyer, Maj+Entrée pour changer de ligne.',
    help: 'Aide', privacy: 'Confidentialité',
    send: 'Envoyer', you: 'Vous', bot: 'Assistant', error: 'Erreur', errorPrefix: 'Erreur\u00a0: ',
    waiting: "L'assistant rédige une réponse…", received: 'Réponse reçue.', sources: 'Sources',
    newTab: '(nouvel onglet)', horizon: 'Échéancier\u00a0: ', restarted: 'Nouvelle conversation commencée.',
    seeAlso: 'Voir aussi', seeAlsoHint: 'actions liées, qui ne répondent pas directement',
    phone: 'composer le {n}',
    down: 'Le service ne répond pas pour le moment. Réessayez dans quelques instants.', later: 'Réessayez dans quelques instants.',
    retry: (n) => 'Réessayez dans ' + n + (n > 1 ? ' secondes.' : ' seconde.'),
    origin: "Ce site n'est pas autorisé à utiliser l'assistant. Son responsable doit le faire ajouter aux sites autorisés du service.",
    busy: 'Trop de questions en peu de temps.', unavailable: "L'assistant est momentanément indisponible.",
    tooBig: 'Votre question est trop longue. Raccourcissez-la, puis réessayez.',
    more: (n) => 'Voir les ' + n + ' autres actions', count: (n) => n + ' actions.', shown: (n) => 'Les ' + n + ' premières sont affichées.',
    fbQuestion: 'Cette réponse vous a-t-elle aidé?', yes: 'Oui', no: 'Non',
    fbWhy: "Qu'est-ce qui n'allait pas? (facultatif)", fbSend: "Envoyer l'avis",
    reasons: { mauvaise_action: 'Pas la bonne action', pas_clair: 'Pas clair', incomplet: 'Incomplet', autre: 'Autre' },
    comment: 'Commentaire (facultatif)', commentHint: "500 caractères au plus. N'écrivez pas de renseignements personnels.",
    hedged: 'Réponse approchée', hedgedHint: 'aucune action ne répond exactement; voici les plus proches',
    thanks: 'Merci pour votre avis.', fbError: "Votre avis n'a pas pu être envoyé.", policy: 'Politique de confidentialité',
  },
  en: {
    title: 'Action plans assistant', open: 'Open the action plans assistant', launcher: 'Assistant',
    close: 'Close the assistant', restart: 'New conversation', expand: 'Enlarge the panel',
    welcome: 'Ask a question about the action plans. Answers cite their actions.',
    exTitle: 'Example questions:',
    log: 'Conversation', label: 'Your question', hint: 'Enter to send, Shift+Enter for a new line.',
    help: 'Help', privacy: 'Privacy',
    send: 'Send', you: 'You', bot: 'Assistant', error: 'Error', errorPrefix: 'Error: ',
    waiting: 'The assistant is writing an answer…', received: 'Answer received.', sources: 'Sources',
    newTab: '(new tab)', horizon: 'Timeline: ', restarted: 'New conversation started.',
    seeAlso: 'See also', seeAlsoHint: 'related actions, not a direct answer',
    phone: 'call {n}',
    down: 'The service is not responding at the moment. Try again in a few moments.', later: 'Try again in a few moments.',
    retry: (n) => 'Try again in ' + n + (n > 1 ? ' seconds.' : ' second.'),
    origin: "This site is not allowed to use the assistant. Its owner must have it added to the service's allowed sites.",
    busy: 'Too many questions in a short time.', unavailable: 'The assistant is temporarily unavailable.',
    tooBig: 'Your question is too long. Shorten it, then try again.',
    more: (n) => 'Show the ' + n + ' other actions', count: (n) => n + ' actions.', shown: (n) => 'The first ' + n + ' are shown.',
    fbQuestion: 'Did this answer help you?', yes: 'Yes', no: 'No',
    fbWhy: 'What was wrong? (optional)', fbSend: 'Send feedback',
    reasons: { mauvaise_action: 'Not the right action', pas_clair: 'Not clear', incomplet: 'Incomplete', autre: 'Other' },
    comment: 'Comment (optional)', commentHint: 'At most 500 characters. Do not write personal information.',
    hedged: 'Closest answer', hedgedHint: 'no action answers exactly; here are the closest',
    thanks: 'Thank you for your feedback.', fbError: 'Your feedback could not be sent.', policy: 'Privacy policy',
  },
};

// Host page CSS never applies: px, not rem (the page's root); :host reset !important (beats the page's).
const CSS = `
:host{all:initial!important;display:block!important}
[hidden]{display:none!important}
.pa-root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;font-size:16px;line-height:1.5;color:#1b1b1b;text-align:left}
.pa-root *,.pa-root *::before,.pa-root *::after{box-sizing:border-box}
.pa-sr{position:absolute!important;width:1px;height:1px;margin:-1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
button,textarea{font:inherit;color:inherit;letter-spacing:inherit}
svg{width:20px;height:20px;fill:currentColor;flex:none}
:focus{outline:3px solid #0b4f8a;outline-offset:2px}
.pa-btn{display:inline-flex;align-items:center;justify-content:center;gap:6px;min-height:44px;padding:6px 12px;border:2px solid #0b4f8a;border-radius:6px;background:#fff;color:#0b4f8a;font-weight:600;line-height:1.25;text-align:left;cursor:pointer}
.pa-btn:hover,.pa-mark:hover{background:#e3edf7}
.pa-launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;display:inline-flex;align-items:center;gap:8px;min-height:52px;padding:10px 18px;border:2px solid #fff;border-radius:999px;background:#0b4f8a;color:#fff;font-weight:700;cursor:pointer;box-shadow:0 4px 12px rgba(0,0,0,.35)}
.pa-launcher:hover,.pa-header .pa-btn:hover,.pa-send:hover{background:#083b68}
.pa-launcher svg{width:24px;height:24px}
.pa-launcher:focus{outline-offset:3px;box-shadow:0 0 0 3px #fff}
.pa-launcher .pa-ic-x,.pa-launcher[aria-expanded=true] .pa-ic-chat{display:none}
.pa-launcher[aria-expanded=true] .pa-ic-x{display:block}
.pa-panel{display:flex;flex-direction:column;background:#fff;overflow:hidden;border:1px solid #5c6b7a}
.pa-mode-launcher .pa-panel{position:fixed;right:16px;bottom:88px;z-index:2147483001;width:416px;max-width:calc(100vw - 32px);height:min(720px,calc(100vh - 104px));border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.3);animation:pa-in .18s ease-out}
.pa-mode-launcher .pa-wide{width:min(760px,calc(100vw - 32px));height:calc(100vh - 104px)}
.pa-mode-inline .pa-panel{position:relative;width:100%;height:576px;max-height:90vh;min-height:320px;border-radius:8px}
@keyframes pa-in{from{opacity:0;transform:translateY(12px)}}
.pa-header{display:flex;flex-wrap:wrap;align-items:center;gap:8px;padding:10px 12px;background:#0b4f8a;color:#fff}
.pa-title{flex:1 1 160px;min-width:0;margin:0;font-size:18px;font-weight:700;line-height:1.3;overflow-wrap:anywhere}
.pa-tools{display:flex;flex-wrap:wrap;gap:8px}
.pa-header .pa-btn{background:transparent;color:#fff;border-color:#fff}
.pa-header :focus{outline-color:#fff}
.pa-icon{width:44px;padding:0}
.pa-header [aria-pressed=true]{background:#fff;color:#0b4f8a}
.pa-header [aria-pressed=true]:hover{background:#e3edf7}
.pa-log{flex:1 1 auto;min-height:0;position:relative;overflow:hidden auto;overscroll-behavior:contain;padding:16px 14px}
.pa-log:focus{outline-offset:-3px}
.pa-welcome p{margin:0 0 8px}
.pa-ex-title{font-weight:700}
.pa-examples{list-style:none;margin:0 0 16px;padding:0;display:grid;gap:8px}
.pa-example{width:100%;justify-content:flex-start;font-weight:500}
.pa-msg{margin:0 0 16px}
.pa-who{margin:0 0 4px;font-size:14px;font-weight:700;color:#3d4a57}
.pa-bubble{padding:10px 14px;border-radius:12px;overflow-wrap:anywhere}
.pa-user{margin-left:32px}
.pa-user .pa-who{text-align:right}
.pa-user .pa-bubble{background:#0b4f8a;color:#fff;white-space:pre-wrap}
.pa-bot .pa-bubble{background:#f1f4f8;border:1px solid #8c9aa9}
.pa-err .pa-bubble{background:#fdf0ef;border:2px solid #b3261e}
.pa-err .pa-who{color:#8c1d18}
.pa-bubble p,.pa-bubble ul{margin:0 0 8px}
.pa-bubble ul{padding-left:20px}
.pa-bubble li{margin:0 0 4px}
.pa-bubble>:last-child{margin-bottom:0}
.pa-stream{white-space:pre-wrap}
.pa-mark{min-width:24px;min-height:24px;margin:0 2px;padding:0 4px;border:1px solid #0b4f8a;border-radius:4px;background:#fff;color:#0b4f8a;font-size:13px;font-weight:700;line-height:21.6px;cursor:pointer}
.pa-lead{margin:0 0 8px;font-size:17px;font-weight:700;line-height:1.45;color:#0f2a44}
.pa-hedge{display:inline-block;margin:0 0 6px;padding:2px 8px;border:1px dashed #7a4d00;border-radius:12px;font-size:13px;font-weight:700;color:#5c3a00;background:#fff8e6}
.pa-hedged .pa-lead{font-weight:600;color:#3d2a00}
.pa-items{list-style:none;margin:0 0 8px;padding:0;display:grid;gap:8px}
.pa-item{margin:0;padding:8px 10px;background:#fff;border:1px solid #c5d0dc;border-left:4px solid #0b4f8a;border-radius:6px}
.pa-item-head{display:flex;flex-wrap:wrap;align-items:center;gap:4px 8px;margin:0 0 2px}
.pa-item-link{color:#0b4f8a;font-weight:700;text-decoration:underline;text-underline-offset:.15em}
.pa-item-text{margin:0}
.pa-item-plan{font-size:13px;color:#3d4a57}
.pa-badge{display:inline-block;padding:0 8px;border:1px solid currentColor;border-radius:999px;font-size:13px;font-weight:700;line-height:1.5}
.pa-badge-1{color:#1c5a27;background:#e8f4ea}
.pa-badge-2{color:#6b4200;background:#fdf1dc}
.pa-badge-3{color:#35358a;background:#ecedfa}
.pa-link{color:#0b4f8a;text-decoration:underline;text-underline-offset:.15em}
.pa-disclosure{display:flex;align-items:center;gap:6px;width:100%;min-height:44px;margin:8px 0 0;padding:6px 8px;border:1px solid #8c9aa9;border-radius:6px;background:#fff;color:#0b4f8a;font-weight:700;text-align:left;cursor:pointer}
.pa-disclosure:hover{background:#e3edf7}
.pa-disclosure::before{content:"";flex:none;width:0;height:0;border-top:5.6px solid transparent;border-bottom:5.6px solid transparent;border-left:7.2px solid currentColor}
.pa-disclosure[aria-expanded=true]::before{transform:rotate(90deg)}
.pa-disclosure-hint{font-weight:400;font-size:13px;color:#3d4a57}
.pa-related{margin:8px 0 0}
.pa-cites{margin:8px 0 0;padding-left:24px;font-size:15px}
.pa-cites li{margin:0 0 8px}
.pa-cite-link{color:#0b4f8a;font-weight:600;text-decoration:underline;text-underline-offset:.15em}
.pa-cite-link:hover{text-decoration-thickness:.15em;color:#083b68}
.pa-cite-text,.pa-cite-horizon{display:block;font-size:14px;color:#3d4a57}
.pa-wait{display:flex;align-items:center;gap:8px;margin:0;padding:6px 14px;font-size:14px;color:#3d4a57;border-top:1px solid #c5d0dc}
.pa-spin{width:14px;height:14px;border:2px solid #8c9aa9;border-top-color:#0b4f8a;border-radius:50%;animation:pa-spin .8s linear infinite}
@keyframes pa-spin{to{transform:rotate(360deg)}}
.pa-form{margin:0;padding:10px 12px 12px;border-top:1px solid #5c6b7a}
.pa-bar{display:flex;flex-wrap:wrap;align-items:center;gap:4px 8px;margin:0 0 4px}
.pa-label{flex:1 1 auto;font-weight:600}
.pa-tip{min-height:32px;padding:2px 8px;border-width:1px;font-size:14px}
.pa-tip[aria-expanded=true]{background:#e3edf7}
.pa-more{margin:0 0 8px}
.pa-row{display:flex;gap:8px;align-items:flex-end}
.pa-input{flex:1 1 auto;min-width:0;min-height:44px;max-height:128px;field-sizing:content;resize:vertical;margin:0;padding:8px 10px;border:2px solid #5c6b7a;border-radius:6px;background:#fff;color:#1b1b1b;line-height:1.4}
.pa-send{background:#0b4f8a;color:#fff}
.pa-send[aria-disabled=true]{background:#5c6b7a;border-color:#5c6b7a;cursor:not-allowed}
.pa-hint{margin:4px 0 0;font-size:13px;color:#3d4a57}
.pa-fb{margin:10px 0 0;padding:8px 0 0;border-top:1px solid #c5d0dc}
.pa-fb-q{margin:0 0 6px;font-size:15px;font-weight:600}
.pa-fb-row{display:flex;flex-wrap:wrap;gap:8px}
.pa-fb fieldset{margin:0 0 8px;padding:0;border:0}
.pa-fb legend{margin:0 0 4px;padding:0;font-size:15px;font-weight:600}
.pa-fb-choice{display:flex;align-items:center;gap:8px;min-height:36px}
.pa-fb-choice input{width:18px;height:18px;margin:0;accent-color:#0b4f8a}
.pa-fb-label{display:block;margin:4px 0;font-size:15px;font-weight:600}
.pa-fb-comment{display:block;width:100%;min-height:64px;margin:0 0 4px;padding:6px 8px;border:2px solid #5c6b7a;border-radius:6px;background:#fff;color:#1b1b1b}
.pa-fb-done{margin:0;font-weight:600;color:#1c5a27}
.pa-fb-err{margin:4px 0 0;color:#8c1d18;font-weight:600}
.pa-privacy{margin:4px 0 0;font-size:13px;color:#3d4a57}
@media ${SMALL}{
.pa-mode-launcher .pa-panel{inset:0;width:auto;max-width:none;height:auto;border:0;border-radius:0}
.pa-mode-launcher.is-open .pa-launcher,.pa-expand{display:none}
.pa-user{margin-left:16px}
}
@media (max-height:420px){.pa-header,.pa-form{padding-block:6px}}
@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important;scroll-behavior:auto!important}}
@media (forced-colors:active){.pa-launcher,.pa-btn,.pa-mark,.pa-bubble,.pa-panel{border:2px solid ButtonText}:focus{outline-color:Highlight}}
`;

// Constructable stylesheet (allowed under a strict CSP); a <style> element only where unsupported.
let SHEET = null;
function applyStyles(root) {
  if (SHEET === null) {
    SHEET = false;
    try {
      if ('adoptedStyleSheets' in Document.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
        SHEET = new CSSStyleSheet();
        SHEET.replaceSync(CSS);
      }
    } catch (e) { SHEET = false; }
  }
  if (SHEET) root.adoptedStyleSheets = [...root.adoptedStyleSheets, SHEET];
  else root.append(h('style', null, CSS));
}

// createElement helper: attributes via setAttribute, functions as listeners, children as nodes or text nodes.
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v != null && v !== false) el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) if (kid != null && kid !== false) el.append(kid);
  return el;
}

const ICONS = {
  chat: 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z',
  close: 'M18.3 5.7 16.9 4.3 12 9.2 7.1 4.3 5.7 5.7 10.6 12l-4.9 4.9 1.4 1.4 4.9-4.9 4.9 4.9 1.4-1.4-4.9-4.9z',
  restart: 'M12 4a8 8 0 1 0 7.75 10h-2.1A6 6 0 1 1 12 6c1.66 0 3.14.69 4.22 1.78L13 11h7V4l-2.35 2.35A7.96 7.96 0 0 0 12 4z',
  expand: 'M4 4h6v2H6v4H4zm10 0h6v6h-2V6h-4zM4 14h2v4h4v2H4zm14 0h2v6h-6v-2h4z',
};
function icon(name, cls) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  const p = document.createElementNS(NS, 'path');
  for (const [k, v] of [['viewBox', '0 0 24 24'], ['aria-hidden', 'true'], ['focusable', 'false'], ['class', cls || '']]) svg.setAttribute(k, v);
  p.setAttribute('d', ICONS[name]);
  svg.append(p);
  return svg;
}

class ApiError extends Error {}

// A conversation's id: random, kept in memory only (never stored in the browser), so that the
// service's private log can link the turns of one conversation.
function newConversationId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const a = new Uint8Array(16);
  c.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}
const FALLBACK = {}; // the stream could not be used: ask /api/ask instead

// The answer as one line of plain text (live region): no markers, no list dashes.
const plain = (s) => String(s).replace(/\s*\[\d+\]/g, '').replace(/^\s*- /gm, '').replace(/\s*\n+\s*/g, ' ').trim();
const clip = (s, n) => (s.length > n ? s.slice(0, n - 1).trimEnd() + '…' : s);

// One Server-Sent Events block ("event: x\ndata: {…}") → {type, data}.
function parseEvent(block) {
  let type = 'message';
  const data = [];
  for (const line of block.split(/\r\n|\r|\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const v = line.slice(i + (line[i + 1] === ' ' ? 2 : 1));
    if (line.slice(0, i) === 'event') type = v;
    else if (line.slice(0, i) === 'data') data.push(v);
  }
  if (!data.length) return null;
  try { return { type, data: JSON.parse(data.join('\n')) }; } catch (e) { return { type, data: null }; }
}

class PlanAssistantChat extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const d = this.dataset;
    this.lang_ = d.lang === 'en' ? 'en' : 'fr';
    this.t = TEXTS[this.lang_];
    this.mode = d.mode === 'inline' ? 'inline' : 'launcher';
    this.plan = (d.plan || '').trim();
    this.heading = (d.title || '').trim() || this.t.title;
    this.api = ((d.api || '').trim() || DEFAULT_API).replace(/\/+$/, '');
    this.history = [];
    this.conversation = newConversationId();
    this.gen = 0;
    this.uid = 0;
    const root = this.attachShadow({ mode: 'open' });
    applyStyles(root);
    this.build(root);
  }

  build(root) {
    const t = this.t;
    const L = this.mode === 'launcher';
    const btn = (attrs, ...kids) => h('button', Object.assign({ type: 'button' }, attrs), ...kids);
    this.wrap = h('div', { class: 'pa-root pa-mode-' + this.mode, lang: this.lang_, dir: 'ltr' });
    // Icon buttons (their name in aria-label, shown on hover by title); « Agrandir » on a wide screen only.
    const tool = (name, onclick, more) => btn(Object.assign({ id: 'pa-' + name, class: 'pa-btn pa-icon', 'aria-label': t[name], title: t[name], onclick }, more), icon(name));
    const tools = h('div', { class: 'pa-tools' },
      L && tool('expand', (e) => e.currentTarget.setAttribute('aria-pressed', this.panel.classList.toggle('pa-wide')), { class: 'pa-btn pa-icon pa-expand', 'aria-pressed': 'false' }),
      tool('restart', () => this.restart()),
      L && tool('close', () => this.close()));
    // The plans and the questions to try come from the service (GET /api/welcome): the widget names no plan.
    this.welcomeText = h('p', null, t.welcome);
    this.exTitle = h('p', { id: 'pa-ex-title', class: 'pa-ex-title', hidden: true }, t.exTitle);
    this.examples = h('ul', { class: 'pa-examples', 'aria-labelledby': 'pa-ex-title', hidden: true });
    this.welcome = h('div', { class: 'pa-welcome' }, this.welcomeText, this.exTitle, this.examples);
    // role=log is not live here: the status region below announces (avoids reading answers twice).
    this.log = h('div', { id: 'pa-log', class: 'pa-log', role: 'log', 'aria-live': 'off', 'aria-label': t.log, tabindex: 0 }, this.welcome);
    this.wait = h('p', { id: 'pa-wait', class: 'pa-wait', hidden: true }, h('span', { class: 'pa-spin', 'aria-hidden': 'true' }), t.waiting);
    this.live = h('div', { id: 'pa-live', class: 'pa-sr', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    this.input = h('textarea', {
      id: 'pa-input', class: 'pa-input', name: 'question', rows: 1, autocomplete: 'off', enterkeyhint: 'send', 'aria-describedby': 'pa-hint',
      onkeydown: (e) => {
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) { e.preventDefault(); this.submit(); }
      },
    });
    this.sendBtn = h('button', { type: 'submit', id: 'pa-send', class: 'pa-btn pa-send', 'aria-disabled': 'false' }, t.send);
    // The hint and the privacy notice behind two small disclosure buttons (the notice open until the
    // first question); the hint stays the question box's description.
    const hint = h('p', { id: 'pa-hint', class: 'pa-hint' }, t.hint);
    this.privacy = h('p', { id: 'pa-privacy', class: 'pa-privacy' });
    this.privacyBtn = this.disclosure(t.privacy, null, this.privacy, 'pa-btn pa-tip');
    this.privacyBtn.hidden = true;
    const form = h('form', { id: 'pa-form', class: 'pa-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.submit(); } },
      h('div', { class: 'pa-bar' }, h('label', { for: 'pa-input', class: 'pa-label' }, t.label),
        this.disclosure(t.help, null, hint, 'pa-btn pa-tip'), this.privacyBtn),
      h('div', { class: 'pa-row' }, this.input, this.sendBtn), hint, this.privacy);
    this.loadPrivacy();
    this.loadWelcome();
    this.panel = h('div', Object.assign({ id: 'pa-panel', class: 'pa-panel', lang: this.lang_ }, L
      ? { role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'pa-title', hidden: true }
      : { role: 'region', 'aria-label': this.heading }),
    h('div', { class: 'pa-header' }, h('h2', { id: 'pa-title', class: 'pa-title' }, this.heading), tools),
    this.log, this.wait, this.live, form);
    if (L) {
      const esc = (e) => { if ((e.key === 'Escape' || e.key === 'Esc') && !this.panel.hidden) { e.preventDefault(); e.stopPropagation(); this.close(); } };
      this.launcher = btn({
        id: 'pa-launcher', class: 'pa-launcher', 'aria-label': t.open, 'aria-expanded': 'false', 'aria-controls': 'pa-panel',
        onclick: () => (this.panel.hidden ? this.open() : this.close()), onkeydown: esc,
      }, icon('chat', 'pa-ic-chat'), icon('close', 'pa-ic-x'), h('span', null, t.launcher));
      // Modal on a small screen: Tab and Shift+Tab go round the panel's controls.
      this.panel.addEventListener('keydown', (e) => {
        esc(e);
        if (e.key !== 'Tab' || !this.inerted) return;
        const f = [...this.panel.querySelectorAll('button,[href],textarea,input,[tabindex="0"]')].filter((x) => x.getClientRects().length);
        const i = f.indexOf(root.activeElement);
        if (e.shiftKey ? i === 0 : i === f.length - 1) { e.preventDefault(); f[e.shiftKey ? f.length - 1 : 0].focus(); }
      });
      this.mq = matchMedia(SMALL);
      this.mq.addEventListener('change', () => this.modal());
      this.wrap.append(this.launcher);
    }
    this.wrap.append(this.panel);
    root.append(this.wrap);
  }

  toggle(open) {
    this.panel.hidden = !open;
    this.wrap.classList.toggle('is-open', open);
    this.launcher.setAttribute('aria-expanded', String(open));
    this.modal();
  }

  // Open on a small screen, the panel covers the page: a modal dialog, the rest of the page inert
  // (the elements the page had made inert itself are left as they are, and so restored).
  modal() {
    const on = !this.panel.hidden && this.mq.matches;
    this.panel.setAttribute('aria-modal', String(on));
    if (on === !!this.inerted) return;
    if (on) {
      this.inerted = [];
      for (let el = this; el.parentElement && el !== document.body; el = el.parentElement) {
        for (const x of el.parentElement.children) if (x !== el && !x.hasAttribute('inert')) { x.inert = true; this.inerted.push(x); }
      }
    } else {
      for (const x of this.inerted) x.inert = false;
      this.inerted = null;
    }
  }

  disconnectedCallback() { if (this.inerted) this.toggle(false); }

  open() {
    if (!this.launcher) return;
    this.toggle(true);
    this.input.focus();
    this.scrollEnd();
  }

  close() {
    if (!this.launcher) return;
    this.toggle(false);
    this.launcher.focus();
  }

  restart() {
    this.gen++;
    if (this.ctrl) this.ctrl.abort();
    this.setBusy(false);
    this.history = [];
    this.conversation = newConversationId();
    this.log.replaceChildren(this.welcome);
    this.input.value = '';
    this.announce(this.t.restarted);
    this.input.focus();
  }

  submit() {
    const q = this.input.value.trim();
    if (this.busy || !q) return;
    this.input.value = '';
    this.ask(q);
  }

  setBusy(b) {
    this.busy = b;
    this.sendBtn.setAttribute('aria-disabled', String(b));
    this.log.setAttribute('aria-busy', String(b));
    this.wait.hidden = !b;
  }

  announce(msg) {
    clearTimeout(this.liveTimer);
    this.live.textContent = '';
    this.liveTimer = setTimeout(() => { this.live.textContent = msg; }, 150);
  }

  scrollEnd() { this.log.scrollTop = this.log.scrollHeight; }

  message(kind, who, ...body) {
    const bubble = h('div', { class: 'pa-bubble' }, ...body);
    const el = h('div', { class: 'pa-msg pa-' + kind }, h('p', { class: 'pa-who' }, who), bubble);
    this.log.append(el);
    this.scrollEnd();
    return { el, bubble };
  }

  async ask(question) {
    const q = String(question).trim();
    if (!q || this.busy) return;
    const t = this.t;
    const gen = ++this.gen;
    if (!this.asked) { this.asked = true; this.privacyBtn.set(false); }
    this.message('user', t.you, q);
    const m = this.message('bot', t.bot, h('p', null, '…'));
    this.setBusy(true);
    this.announce(t.waiting);
    // The last turns' questions; references only for the last one, the only turn the service reads
    // them from (a follow-up): a list answer cites dozens of actions, and older ones only weigh.
    const turns = this.history.slice(-MAX_TURNS);
    const history = turns.map((turn, i) => (i === turns.length - 1 ? turn : { question: turn.question }));
    const payload = { question: q, history, conversation_id: this.conversation };
    if (this.plan) payload.filters = { plan: this.plan };
    try {
      let ans = await this.stream(payload, m, gen);
      if (ans === FALLBACK && gen === this.gen) ans = await this.post('/api/ask', payload);
      if (gen !== this.gen) return;
      if (!ans || typeof ans.answer !== 'string') throw new ApiError(t.down);
      this.render(m, ans);
      if (typeof ans.answer_id === 'string' && ans.answer_id) m.bubble.append(this.feedback(ans.answer_id));
      // The service reads only the previous questions and references (not the answer text).
      const cited = (role) => (ans.citations || []).filter((c) => c && c.ref && (c.role || 'primary') === role).map((c) => c.ref);
      this.history.push({ question: q, refs: cited('primary'), related: cited('related') });
      // The first sentence and the number of actions (not the list itself).
      let say = plain(ans.lead || ans.answer.split(/\n/)[0] || '');
      const n = m.count;
      if (n > 1 && !new RegExp('\\b' + n + ' action').test(say)) say += ' ' + t.count(n);
      if (n > LIST + 1) say += ' ' + t.shown(LIST);
      this.announce(t.received + ' ' + (ans.sure === false ? t.hedged + '\u00a0: ' : '') + say);
    } catch (err) {
      if (gen !== this.gen) return;
      const msg = (err instanceof ApiError && err.message) || t.down;
      m.el.className = 'pa-msg pa-err';
      m.el.firstChild.textContent = t.error;
      m.bubble.replaceChildren(h('p', null, msg));
      if (!this.input.value) this.input.value = q; // the question stays at hand to retry or shorten
      this.scrollEnd();
      this.announce(t.errorPrefix + msg);
    } finally {
      if (gen === this.gen) this.setBusy(false);
    }
  }

  // The welcome of the service: the plans it answers about and questions to try, in the page's language.
  async loadWelcome() {
    try {
      const res = await fetch(this.api + '/api/welcome', { credentials: 'omit', mode: 'cors', cache: 'no-store' });
      if (!res.ok) return; // the generic welcome stays; loadPrivacy says why the service refuses
      const w = await res.json();
      const en = this.lang_ === 'en';
      const text = en ? w.welcome_en : w.welcome;
      const examples = (en ? w.examples_en : w.examples);
      if (typeof text === 'string' && text) this.welcomeText.textContent = text;
      const qs = Array.isArray(examples) ? examples.filter((q) => typeof q === 'string' && q).slice(0, 4) : [];
      this.examples.replaceChildren(...qs.map((q) => h('li', null, h('button', { type: 'button', class: 'pa-btn pa-example', onclick: () => this.ask(q) }, q))));
      this.exTitle.hidden = this.examples.hidden = !qs.length;
    } catch (e) { /* the generic welcome stays: the service does not answer yet */ }
  }

  // The one-line notice of what the service keeps, with the City's privacy policy (a setting).
  async loadPrivacy() {
    try {
      const res = await fetch(this.api + '/api/privacy', { credentials: 'omit', mode: 'cors', cache: 'no-store' });
      if (!res.ok) {
        // A site that is not allowed: said at once (and in the console, for its web team).
        const e = await this.httpError(res);
        if (this.hinted) this.message('err', this.t.error, h('p', null, e.message));
        return;
      }
      const p = await res.json();
      const notice = this.lang_ === 'en' ? p.notice_en : p.notice;
      if (typeof notice !== 'string' || !notice) return;
      const href = p.policy_url && this.absUrl(p.policy_url);
      this.privacy.replaceChildren(notice, href ? ' ' : '',
        href ? h('a', { class: 'pa-link', href, target: '_blank', rel: 'noopener' }, this.t.policy, h('span', { class: 'pa-sr' }, ' ' + this.t.newTab)) : '');
      this.privacyBtn.hidden = false;
      this.privacyBtn.set(!this.asked);
    } catch (e) { /* no notice: the service does not answer yet */ }
  }

  // « Cette réponse vous a-t-elle aidé? » under an answer: one vote; after « Non », an optional
  // reason and comment. Focus moves to what replaces the control pressed; the result is announced.
  feedback(answerId) {
    const t = this.t;
    const id = 'pa-fb' + (++this.uid);
    const box = h('div', { class: 'pa-fb', role: 'group', 'aria-labelledby': id + '-q' });
    const err = h('p', { class: 'pa-fb-err', role: 'alert', hidden: true });
    let sending = false;
    const send = async (body) => {
      if (sending) return;
      sending = true;
      err.hidden = true;
      try {
        await this.post('/api/feedback', Object.assign({ answer_id: answerId }, body));
        const done = h('p', { class: 'pa-fb-done', tabindex: '-1' }, t.thanks);
        box.replaceChildren(done);
        done.focus();
        this.announce(t.thanks);
      } catch (e) {
        err.textContent = (e instanceof ApiError && e.message) || t.fbError;
        err.hidden = false;
      } finally { sending = false; }
    };
    const why = () => {
      const reasons = Object.entries(t.reasons).map(([value, label]) => h('label', { class: 'pa-fb-choice' },
        h('input', { type: 'radio', name: id + '-r', value }), label));
      const comment = h('textarea', { id: id + '-c', class: 'pa-fb-comment', rows: 2, maxlength: 500, 'aria-describedby': id + '-h' });
      const legend = h('legend', { id: id + '-w' }, t.fbWhy);
      const form = h('form', { class: 'pa-fb-form', novalidate: true, onsubmit: (e) => {
        e.preventDefault();
        const picked = form.querySelector('input:checked');
        send({ helpful: false, reason: picked ? picked.value : null, comment: comment.value.trim() || null });
      } },
      h('fieldset', null, legend, ...reasons),
      h('label', { class: 'pa-fb-label', for: id + '-c' }, t.comment), comment,
      h('p', { id: id + '-h', class: 'pa-hint' }, t.commentHint),
      h('button', { type: 'submit', class: 'pa-btn' }, t.fbSend), err);
      box.replaceChildren(h('p', { id: id + '-q', class: 'pa-fb-q' }, t.fbQuestion + ' ' + t.no + '.'), form);
      reasons[0].firstChild.focus(); // the group's legend is read with it
    };
    box.append(h('p', { id: id + '-q', class: 'pa-fb-q' }, t.fbQuestion),
      h('div', { class: 'pa-fb-row' },
        h('button', { type: 'button', class: 'pa-btn pa-fb-yes', onclick: () => send({ helpful: true }) }, t.yes),
        h('button', { type: 'button', class: 'pa-btn pa-fb-no', onclick: why }, t.no)), err);
    return box;
  }

  // POST JSON with an AbortController; `req.arm(ms)` (re)starts the "nothing received yet" timer.
  request(path, payload, accept) {
    const ctrl = new AbortController();
    const req = { ctrl, timedOut: false };
    req.arm = (ms) => {
      clearTimeout(req.timer);
      req.timer = setTimeout(() => { req.timedOut = true; ctrl.abort(); }, ms);
    };
    req.arm(FIRST_BYTE_MS);
    this.ctrl = ctrl;
    req.response = fetch(this.api + path, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: accept }, body: JSON.stringify(payload),
      signal: ctrl.signal, credentials: 'omit', mode: 'cors', cache: 'no-store',
    });
    return req;
  }

  // An error answer, said for a citizen: a site not allowed (and, in the console, the setting that
  // allows it), too many questions or a service unavailable (with the delay of Retry-After), a
  // question too long; otherwise the server's message in the widget's language.
  async httpError(res) {
    const t = this.t;
    const s = res.status;
    let e = {};
    try { e = (await res.json()).error || {}; } catch (x) { e = {}; }
    const ra = res.headers.get('Retry-After');
    const n = ra ? (/^\s*\d+\s*$/.test(ra) ? +ra : Math.ceil((Date.parse(ra) - Date.now()) / 1000)) : 0;
    const later = n > 0 ? t.retry(n) : t.later;
    if (e.code === 'origine_refusee') {
      if (!this.hinted) {
        this.hinted = true;
        console.error('plan-assistant : ce site (' + location.origin + ") n'est pas autorisé par le service " + this.api +
          '. Ajoutez son origine au réglage ' + ORIGINS_SETTING + ' du service (origines séparées par des virgules), puis redémarrez-le : ' +
          ORIGINS_SETTING + '=' + location.origin);
      }
      return new ApiError(t.origin);
    }
    if (s === 429) return new ApiError(t.busy + ' ' + later);
    if (s === 503) return new ApiError(t.unavailable + ' ' + later);
    if (s === 413) return new ApiError(t.tooBig);
    return new ApiError((this.lang_ === 'en' ? e.message_en || e.message : e.message || e.message_en) || t.down);
  }

  async post(path, payload) {
    const req = this.request(path, payload, 'application/json');
    try {
      const res = await req.response;
      if (!res.ok) throw await this.httpError(res);
      return await res.json();
    } finally { clearTimeout(req.timer); }
  }

  async stream(payload, m, gen) {
    const req = this.request('/api/ask/stream', payload, 'text/event-stream');
    let reading = false;
    let text = null;
    let cites = null;
    const handle = (ev) => {
      const d = ev && ev.data;
      if (!d) return null;
      if (ev.type === 'delta' && typeof d.text === 'string') {
        const l = this.log;
        const stick = l.scrollHeight - l.scrollTop - l.clientHeight < 48;
        if (!text) m.bubble.replaceChildren(text = h('p', { class: 'pa-stream' }));
        text.append(d.text);
        if (stick) this.scrollEnd();
      } else if (ev.type === 'citations') {
        cites = d.citations;
      } else if (ev.type === 'done') {
        if (!d.citations && cites) d.citations = cites;
        return d;
      } else if (ev.type === 'error') {
        const e = d.error || {};
        throw new ApiError((this.lang_ === 'en' ? e.message_en || e.message : e.message || e.message_en) || this.t.down);
      }
      return null;
    };
    try {
      const res = await req.response;
      if (!res.ok) {
        if ([404, 405, 501].includes(res.status)) return FALLBACK;
        throw await this.httpError(res);
      }
      const type = (res.headers.get('Content-Type') || '').toLowerCase();
      if (type.includes('application/json')) return await res.json();
      if (!type.includes('text/event-stream') || !res.body || !res.body.getReader) return FALLBACK;
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      reading = true;
      for (;;) {
        const { value, done } = await reader.read();
        if (gen !== this.gen) { reader.cancel().catch(() => {}); return null; }
        if (done) break;
        req.arm(IDLE_MS);
        buf += dec.decode(value, { stream: true });
        for (let sep; (sep = /\r\n\r\n|\n\n|\r\r/.exec(buf));) {
          const r = handle(parseEvent(buf.slice(0, sep.index)));
          buf = buf.slice(sep.index + sep[0].length);
          if (r) { reader.cancel().catch(() => {}); return r; }
        }
      }
      return handle(parseEvent(buf + dec.decode())) || FALLBACK; // ended without "done": ask again
    } catch (e) {
      if (e instanceof ApiError || req.ctrl.signal.aborted || !reading) throw e;
      return FALLBACK; // the stream broke after it started
    } finally { clearTimeout(req.timer); }
  }

  absUrl(u) {
    try {
      const x = new URL(String(u), this.api + '/');
      return /^https?:$/.test(x.protocol) ? x.href : null;
    } catch (e) { return null; }
  }

  // Links to the organisation's channels the answer names (ans.links: its site, its phone line) and to
  // web addresses in its text; everything else stays text.
  linkify(text, links) {
    const t = this.t;
    const known = (Array.isArray(links) ? links : []).filter((l) => l && typeof l.text === 'string' && l.text
      && typeof l.href === 'string' && /^(https?:|tel:)/.test(l.href));
    const esc = (x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(['https?:\\/\\/[^\\s)»]+[^\\s)».,;:]',
      ...known.map((l) => '(?<![\\w.-])' + esc(l.text) + '(?![\\w-])')].join('|'), 'g');
    const out = [];
    let last = 0;
    for (const mm of String(text).matchAll(re)) {
      out.push(text.slice(last, mm.index));
      const raw = mm[0];
      const link = known.find((l) => l.text === raw);
      const href = link ? link.href : raw;
      const isPhone = href.startsWith('tel:');
      out.push(h('a', isPhone ? { class: 'pa-link', href, 'aria-label': t.phone.replace('{n}', raw) }
        : { class: 'pa-link', href, target: '_blank', rel: 'noopener' }, raw, isPhone ? null : h('span', { class: 'pa-sr' }, ' ' + t.newTab)));
      last = mm.index + raw.length;
    }
    out.push(text.slice(last));
    return out.filter((x) => x !== '');
  }

  // A disclosure button and the region it shows or hides (collapsed by default).
  disclosure(label, hint, region, cls) {
    region.id = region.id || 'pa-d' + (++this.uid);
    const btn = h('button', { type: 'button', class: cls || 'pa-disclosure', 'aria-controls': region.id,
      onclick: () => btn.set(btn.getAttribute('aria-expanded') !== 'true') },
    label, hint && h('span', { class: 'pa-disclosure-hint' }, '(' + hint + ')'));
    btn.set = (open) => { btn.setAttribute('aria-expanded', String(open)); region.hidden = !open; };
    btn.set(false);
    return btn;
  }

  // Final rendering: the first sentence stands out; cited actions are compact items (timeline badge,
  // link to the viewer); « Voir aussi » and the sources are collapsed; [n] → buttons to source n.
  render(m, ans) {
    const t = this.t;
    const cites = Array.isArray(ans.citations) ? ans.citations.filter((c) => c && typeof c === 'object') : [];
    const targets = [];
    let sourcesBtn = null;
    const inline = (s) => {
      const out = [];
      let last = 0;
      for (const mm of s.matchAll(/\[(\d+)\]/g)) {
        const n = +mm[1];
        if (n < 1 || n > cites.length) continue;
        out.push(...this.linkify(s.slice(last, mm.index), ans.links),
          h('button', { type: 'button', class: 'pa-mark', 'data-cite': n, 'aria-label': 'Source ' + n,
            onclick: () => { if (sourcesBtn) sourcesBtn.set(true); targets[n - 1].focus(); } }, '[' + n + ']'));
        last = mm.index + mm[0].length;
      }
      out.push(...this.linkify(s.slice(last), ans.links));
      return out.filter(Boolean);
    };
    const markerOf = (line) => { const mm = /\[(\d+)\]\s*$/.exec(line); return mm ? cites[+mm[1] - 1] : null; };
    const item = (line, c) => {
      const href = c.url && this.absUrl(c.url);
      const label = c.label || [c.kind, c.number].filter(Boolean).join(' ');
      const badge = typeof c.horizon_label === 'string' && c.horizon_label;
      const order = Number.isInteger(c.horizon_order) && c.horizon_order <= 3 ? c.horizon_order : 0;
      return h('li', { class: 'pa-item', 'data-ref': c.ref },
        h('p', { class: 'pa-item-head' },
          href ? h('a', { class: 'pa-item-link', href, target: '_blank', rel: 'noopener' }, label, h('span', { class: 'pa-sr' }, ' ' + t.newTab)) : h('strong', null, label),
          badge && h('span', { class: 'pa-badge' + (order ? ' pa-badge-' + order : '') }, badge),
          h('span', { class: 'pa-item-plan' }, c.organisation || c.plan_title || '')),
        h('p', { class: 'pa-item-text' }, String(c.text || line)));
    };
    const lines = ans.answer.split(/\r\n|\r|\n/);
    let start = lines.findIndex((l) => l.trim());
    if (start < 0) start = 0;
    const blocks = [h('p', { class: 'pa-lead' }, inline((lines[start] || '').trim()))];
    // A hedged answer (sure: false) says so before its first sentence: it is the closest, not an answer.
    m.bubble.classList.toggle('pa-hedged', ans.sure === false);
    if (ans.sure === false) blocks.unshift(h('p', { class: 'pa-hedge', title: t.hedgedHint }, t.hedged));
    const related = [];
    let ul = null;
    let items = null;
    const rest = lines.slice(start + 1);
    rest.forEach((line, i) => {
      const li = /^\s*- (.*)$/.exec(line);
      const c = li && markerOf(li[1]);
      if (li && c && (c.role || 'primary') === 'related') { related.push(item(li[1], c)); return; }
      // The header of the related items is replaced by the disclosure button.
      const next = rest[i + 1] && /^\s*- (.*)$/.exec(rest[i + 1]);
      const nc = next && markerOf(next[1]);
      if (!li && nc && nc.role === 'related' && line.trim()) return;
      if (li && c && c.kind === 'action' && c.url) {
        ul = null;
        if (!items) blocks.push(items = h('ul', { class: 'pa-items' }));
        items.append(item(li[1], c));
      } else if (li) {
        items = null;
        if (!ul) blocks.push(ul = h('ul'));
        ul.append(h('li', null, inline(li[1].trim())));
      } else {
        ul = items = null;
        if (line.trim()) blocks.push(h('p', null, inline(line.trim())));
      }
    });
    if (related.length) {
      const region = h('ul', { class: 'pa-items pa-related' }, ...related);
      blocks.push(this.disclosure(t.seeAlso + ' (' + related.length + ')', t.seeAlsoHint, region), region);
    }
    if (cites.length) {
      const ol = h('ol', { class: 'pa-cites', 'aria-label': t.sources });
      cites.forEach((c, i) => {
        const name = [c.label || [c.kind, c.number].filter(Boolean).join(' ') || c.ref || 'Source ' + (i + 1), c.plan_title]
          .filter(Boolean).join(' — ');
        const href = c.url && this.absUrl(c.url);
        const target = href
          ? h('a', { class: 'pa-cite-link', href, target: '_blank', rel: 'noopener', 'data-ref': c.ref }, name, h('span', { class: 'pa-sr' }, ' ' + t.newTab))
          : h('span', { class: 'pa-cite-label', tabindex: -1 }, name);
        targets.push(target);
        ol.append(h('li', { class: 'pa-cite' }, target,
          c.text && h('span', { class: 'pa-cite-text' }, clip(String(c.text), 220)),
          c.horizon_words && h('span', { class: 'pa-cite-horizon' }, t.horizon + c.horizon_words)));
      });
      sourcesBtn = this.disclosure(t.sources + ' (' + cites.length + ')', null, ol);
      blocks.push(sourcesBtn, ol);
    }
    m.bubble.replaceChildren(...blocks);
    // A long list: its first actions, then « Voir les N autres actions » (the objectives' headings
    // that come with the others are hidden with them); the button reveals them and focuses the first.
    const all = [...m.bubble.querySelectorAll('.pa-items:not(.pa-related)>li')];
    m.count = all.length;
    if (all.length > LIST + 1) {
      const cut = all[LIST - 1].parentNode;
      const end = all[all.length - 1].parentNode;
      const hide = all.slice(LIST).filter((li) => li.parentNode === cut);
      for (let el = cut; el !== end;) hide.push(el = el.nextElementSibling);
      for (const el of hide) el.hidden = true;
      const more = h('button', { type: 'button', class: 'pa-btn pa-more', onclick: () => {
        for (const el of hide) el.hidden = false;
        more.remove();
        hide[0].tabIndex = -1;
        hide[0].focus();
      } }, t.more(all.length - LIST));
      cut.after(more);
    }
    if (/^[a-z]{2}$/.test(ans.lang) && ans.lang !== this.lang_) m.bubble.setAttribute('lang', ans.lang);
    // A new answer is shown from its first line.
    this.log.scrollTop = Math.max(0, m.el.offsetTop - 8);
  }
}

if (!customElements.get(TAG)) customElements.define(TAG, PlanAssistantChat);

// One instance per script tag: in data-target (inline) or at the end of <body> (launcher, one per page).
function mount() {
  if (!SCRIPT || !document.body) return;
  const ds = SCRIPT.dataset;
  let target = null;
  if (ds.mode === 'inline') {
    try { target = document.querySelector(ds.target); } catch (e) { target = null; }
    if (!target) console.warn('plan-assistant: data-target introuvable (' + ds.target + '); mode launcher.');
  }
  if (!target && document.querySelector(TAG + '[data-mode="launcher"]')) return;
  const el = document.createElement(TAG);
  for (const k of ['title', 'plan', 'lang']) if (ds[k]) el.dataset[k] = ds[k];
  el.dataset.api = ds.api || originOf(SCRIPT.src);
  el.dataset.mode = target ? 'inline' : 'launcher';
  (target || document.body).append(el);
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
else mount();
})();
