// Electron host: filled in by the desktop foundation (issue #3).
import { app } from 'electron';

void app.whenReady().then(() => app.quit());
