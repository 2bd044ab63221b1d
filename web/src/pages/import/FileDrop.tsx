import { type DragEvent, useId, useRef, useState } from 'react';
import { ACCEPTED_EXTENSIONS } from '../../lib/import-task';

/** Pick a file with the button (mouse or keyboard) or drop it on the zone. */
export function FileDrop({ disabled, onFile }: { disabled: boolean; onFile: (file: File) => void }) {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  };

  return (
    <section
      className={`drop-zone${over ? ' drop-zone-over' : ''}`}
      data-testid="drop-zone"
      aria-labelledby={`${id}-title`}
      onDragOver={(event) => {
        event.preventDefault();
        if (!disabled) setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p id={`${id}-title`} className="drop-title">
        Drop the filled-in template here
      </p>
      <p className="hint">or</p>
      {/* A button, not a label for the input: Enter and Space both open the picker from it. */}
      <button type="button" disabled={disabled} onClick={() => input.current?.click()}>
        Choose a file…
      </button>
      <input
        ref={input}
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        type="file"
        accept={ACCEPTED_EXTENSIONS.join(',')}
        disabled={disabled}
        data-testid="file-input"
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) onFile(file);
          // Picking the same file again after a refusal must fire again.
          if (input.current) input.current.value = '';
        }}
      />
      <p className="hint">CSV or XLSX, one user per row.</p>
    </section>
  );
}
