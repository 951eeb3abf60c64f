/** @jsxImportSource hono/jsx/dom */
/** @module Small shared building blocks: labelled fields with their error, notices, status badges, a page frame. */
import type { Child } from 'hono/jsx';
import { navigate } from '../lib/router';

export function Field(props: { label: string; name: string; error?: string; hint?: string; children: Child }) {
  const describedBy = [props.hint ? `${props.name}-hint` : '', props.error ? `${props.name}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${props.error ? ' has-error' : ''}`} data-field={props.name}>
      <label for={props.name}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${props.name}-hint`}>
          {props.hint}
        </p>
      )}
      <div aria-describedby={describedBy || undefined}>{props.children}</div>
      {props.error && (
        <p class="error" id={`${props.name}-error`} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

export function Notice(props: { kind?: 'info' | 'error' | 'warning' | 'success'; children: Child }) {
  return (
    <div class={`notice ${props.kind ?? 'info'}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function Badge(props: { tone?: 'neutral' | 'good' | 'warn' | 'bad'; children: Child }) {
  return <span class={`badge ${props.tone ?? 'neutral'}`}>{props.children}</span>;
}

export function Link(props: { href: string; children: Child; class?: string }) {
  return (
    <a
      href={props.href}
      class={props.class}
      onClick={(e: MouseEvent) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

export const GROUND_WORDING: Record<string, { title: string; text: string }> = {
  threat_to_life: { title: 'Threat to life or health', text: 'A threat to the life or health of the victim or of the victim’s family.' },
  loss_of_evidence: { title: 'Irreversible loss of evidence', text: 'Very important information or evidence will be lost irreversibly if the formal channel is used.' },
  flight_risk: { title: 'Flight risk', text: 'Real grounds that the suspect will abscond, or that identifying the suspect will become impossible.' },
};

export const HANDLING_WORDING: Record<string, string> = {
  H0: 'H0 — no restriction beyond national law',
  H1: 'H1 — not for use as evidence without the provider’s permission',
  H2: 'H2 — not to be disseminated without the provider’s permission',
  H3: 'H3 — other restrictions, stated below',
};

export const when = (at: number | null | undefined) => (at ? new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—');

/** A table's header row; `actions` adds the last, visually hidden "Actions" column that screen readers still name. */
export function TableHead(props: { columns: string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c) => (
          <th>{c}</th>
        ))}
        {props.actions && (
          <th>
            <span class="sr-only">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
