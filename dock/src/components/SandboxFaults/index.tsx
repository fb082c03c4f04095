/** Demo-only fault buttons (shown only when the helper runs in sandbox mode). */
import type { FaultKind } from '../../model/types.js';
import type { MessageKey } from '../../i18n/index.js';
import { useDock, useModel, useT } from '../context.js';

const FAULTS: Array<[FaultKind, MessageKey]> = [
  ['kick', 'faults.kick'],
  ['remove', 'faults.remove'],
  ['fail-next', 'faults.failNext'],
  ['shift-clock', 'faults.shiftClock'],
];

export function SandboxFaults() {
  const model = useModel();
  const { faultNote } = useDock();
  const t = useT();
  return (
    <div class="sandbox-faults">
      <div class="presets-actions">
        {FAULTS.map(([kind, key]) => (
          <button key={kind} type="button" onClick={() => void model.injectFault(kind)}>
            {t(key)}
          </button>
        ))}
      </div>
      {faultNote && <p class="obs-note">{faultNote}</p>}
    </div>
  );
}
