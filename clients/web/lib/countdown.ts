/** @module Deadline countdowns as people read them: "2 d 4 h left", "47 min left", "overdue by 3 h". */

export type Urgency = 'ok' | 'soon' | 'urgent' | 'overdue';

function span(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function formatRemaining(deadlineAt: number, now: number): string {
  const left = deadlineAt - now;
  return left >= 0 ? `${span(left)} left` : `overdue by ${span(-left)}`;
}

/** How alarming a deadline is: under 10 % of the time allowed is urgent, under 50 % is soon. */
export function urgency(openedAt: number, deadlineAt: number, now: number): Urgency {
  if (now > deadlineAt) return 'overdue';
  const share = (deadlineAt - now) / Math.max(1, deadlineAt - openedAt);
  return share < 0.1 ? 'urgent' : share < 0.5 ? 'soon' : 'ok';
}
