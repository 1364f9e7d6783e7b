/**
 * A modal dialog on the native <dialog> (showModal): the rest of the page is inert, focus moves into it
 * and returns to what opened it, Escape closes it. Its content (a secret included) leaves the DOM on close.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let sequence = 0;
const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';

export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  describedBy?: string;
  /**
   * The id of the element focus returns to when what opened the dialog is gone: a dialog opened from
   * another dialog (the new secret, shown once the Generate dialog has closed) goes back to what
   * opened the first one.
   */
  returnFocusTo?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(`dialog-title-${++sequence}`).current;
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      if (opener?.isConnected) opener.focus();
      else if (props.returnFocusTo) document.getElementById(props.returnFocusTo)?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={props.describedBy}
      onKeyDown={(event) => {
        // Tab and Shift+Tab cycle inside the dialog (the native modal would let focus leave for the browser's own controls).
        if (event.key !== 'Tab' || !ref.current) return;
        const focusable = Array.from(ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => !el.hasAttribute('disabled'));
        if (focusable.length === 0) return;
        const first = focusable[0];
        const last = focusable[focusable.length - 1];
        if (event.shiftKey && document.activeElement === first) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && document.activeElement === last) {
          event.preventDefault();
          first.focus();
        }
      }}
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

/** A form dialog's footer: its submit button (disabled while the call runs) and Cancel. */
export function FormButtons(props: { submitLabel: string; busy: boolean; onCancel: () => void }) {
  return (
    <div class="buttons">
      <button type="submit" class="primary" disabled={props.busy}>
        {props.submitLabel}
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  );
}

/**
 * Copies with the Clipboard API; says so in the live region. `name`: an accessible name that says what
 * is copied (it starts with the visible "Copy").
 */
export function CopyButton(props: { text: string; announce: (message: string) => void; label?: string; name?: string }) {
  return (
    <button
      type="button"
      aria-label={props.name}
      onClick={() => {
        navigator.clipboard.writeText(props.text).then(
          () => props.announce('Key copied to the clipboard'),
          () => props.announce('Copying failed: select the key and copy it by hand'),
        );
      }}
    >
      {props.label ?? 'Copy'}
    </button>
  );
}
