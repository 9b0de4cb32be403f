#!/usr/bin/env node
/**
 * Draws Paddock's icons (resources/icons) from the SVG below, in Debian's Chromium through
 * Playwright: the app icon (1024 px for electron-builder, which makes the .icns and .ico from it;
 * 256 px for the window) and the tray's three states at 16 and 32 px (the @2x file is picked on
 * high-density screens). Run it again after changing the drawing: `node scripts/render-icons.mjs`.
 */
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icons');

/** A fence: two rails across three posts. `colour` draws it; `dot` adds the attention mark. */
function fence({ colour, background, dot }) {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  ${background ? `<rect x="2" y="2" width="60" height="60" rx="14" fill="${background}"/>` : ''}
  <g fill="${colour}">
    <rect x="12" y="16" width="7" height="34" rx="2"/>
    <rect x="28.5" y="16" width="7" height="34" rx="2"/>
    <rect x="45" y="16" width="7" height="34" rx="2"/>
    <rect x="7" y="23" width="50" height="6" rx="2"/>
    <rect x="7" y="37" width="50" height="6" rx="2"/>
  </g>
  ${dot ? `<circle cx="52" cy="12" r="11" fill="${dot}" stroke="#fff" stroke-width="3"/>` : ''}
</svg>`;
}

const ICONS = [
  { name: 'icon.png', size: 1024, svg: fence({ colour: '#ffffff', background: '#1f6f4a' }) },
  { name: 'icon-256.png', size: 256, svg: fence({ colour: '#ffffff', background: '#1f6f4a' }) },
  ...['', '@2x'].flatMap((suffix) => {
    const size = suffix ? 32 : 16;
    return [
      { name: `tray-idle${suffix}.png`, size, svg: fence({ colour: '#8a8f98' }) },
      { name: `tray-running${suffix}.png`, size, svg: fence({ colour: '#2e9d62' }) },
      {
        name: `tray-attention${suffix}.png`,
        size,
        svg: fence({ colour: '#2e9d62', dot: '#e8590c' }),
      },
    ];
  }),
];

mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  for (const icon of ICONS) {
    await page.setViewportSize({ width: icon.size, height: icon.size });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${icon.svg.replace('<svg ', `<svg width="${icon.size}" height="${icon.size}" `)}</body></html>`,
    );
    await page.screenshot({ path: join(OUT, icon.name), omitBackground: true });
    console.log(`resources/icons/${icon.name} (${icon.size} px)`);
  }
} finally {
  await browser.close();
}
