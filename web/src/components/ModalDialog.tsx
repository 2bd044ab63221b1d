import { type KeyboardEvent, type ReactNode, useEffect, useRef } from 'react';

const FOCUSABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(',');

/**
 * The console's modal: a native `<dialog>` opened with `showModal()` (the page behind is inert, Escape
 * closes it) that also keeps Tab cycling through its own controls (Chromium lets Tab leave a modal
 * for the browser's toolbar) and gives focus back to the control that opened it, however it closes.
 */
export function ModalDialog({
  labelledBy,
  onClose,
  testId,
  children,
}: {
  readonly labelledBy: string;
  readonly onClose: () => void;
  readonly testId?: string;
  readonly children: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  // Read while rendering, before showModal() moves focus into the dialog.
  const opener = useRef(document.activeElement instanceof HTMLElement ? document.activeElement : null);

  // Opened once; never closed from a cleanup: closing fires `close`, which would unmount the dialog
  // when React re-runs effects (StrictMode in development). Unmounting removes it from the top layer.
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    const returnTo = opener.current;
    return () => returnTo?.focus();
  }, []);

  const keepTabInside = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Tab' || !dialog.current) return;
    const controls = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = controls[0];
    const last = controls.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={dialog}
      aria-labelledby={labelledBy}
      onClose={onClose}
      onKeyDown={keepTabInside}
      data-testid={testId}
    >
      {children}
    </dialog>
  );
}
