import { type DragEvent, useId, useRef, useState } from 'react';
import { ACCEPTED_EXTENSIONS } from '../../lib/import-task';

/** Pick a file with the button (keyboard) or drop it on the zone. */
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
      <label htmlFor={`${id}-file`} className="button">
        Choose a file…
      </label>
      <input
        id={`${id}-file`}
        ref={input}
        className="visually-hidden"
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
