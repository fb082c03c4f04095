/** The OBS WebSocket URL and password fields: what the user typed wins over hints, and retargets the connection. */
import type { ModelStore } from './model-store.js';
import type { ObsLink } from './obs-link.js';

export interface ObsFields {
  setObsUrl(url: string): void;
  setObsPassword(password: string): void;
  /** Connect: now, with the fields; the URL is saved with the settings once it is a ws:// URL */
  connectObs(): void;
  edited(): { url: boolean; password: boolean };
}

export function createObsFields({ patch }: ModelStore, obsLink: ObsLink, persist: () => void): ObsFields {
  const edited = { url: false, password: false };
  return {
    setObsUrl(url) {
      edited.url = true;
      patch('obs', { url });
      obsLink.edited();
    },
    setObsPassword(password) {
      edited.password = true;
      patch('obs', { password });
      obsLink.edited();
    },
    connectObs() {
      void obsLink.connect().then((ok) => ok && persist());
    },
    edited: () => ({ ...edited }),
  };
}
