/** @jsxImportSource hono/jsx/dom */
/** @module Statistics over a period with charts (Chart.js), the log's verified checkpoint, and the signed report. */
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef, useState } from 'hono/jsx';
import type { Statistics } from '../../../src/compliance/statistics';
import { api } from '../lib/api';
import { LogCheckpointStatus } from '../components/LogCheckpointStatus';
import { GROUND_WORDING, Notice } from '../components/ui';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);


function BarChart(props: { title: string; data: Record<string, number> }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: Object.keys(props.data), datasets: [{ label: props.title, data: Object.values(props.data), backgroundColor: '#2a5a99' }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    return () => chart.destroy();
  }, [JSON.stringify(props.data)]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={`${props.title}: ${Object.entries(props.data).map(([k, v]) => `${k} ${v}`).join(', ')}`} />
      </div>
    </figure>
  );
}

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10} %`);

export function StatisticsPage() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [stats, setStatistics] = useState<Statistics | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const period = new URLSearchParams(Object.entries({ from, to }).filter(([, v]) => v)).toString();
  useEffect(() => {
    api.get<Statistics>(`/compliance/statistics${period ? `?${period}` : ''}`).then(
      (loaded) => {
        setStatistics(loaded);
        setProblem(null);
      },
      (error: Error) => setProblem(`The statistics could not be loaded: ${error.message}`),
    );
  }, [period]);
  return (
    <section>
      <div class="page-head">
        <h1>Statistics</h1>
        <div class="actions">
          <label>
            From <input type="date" value={from} onChange={(e: Event) => setFrom((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            To <input type="date" value={to} onChange={(e: Event) => setTo((e.target as HTMLInputElement).value)} />
          </label>
          <a class="button primary" href={`/api/v1/compliance/report?${period}`} download>
            Signed report (PDF)
          </a>
        </div>
      </div>
      <LogCheckpointStatus />
      {problem && <Notice kind="error">{problem}</Notice>}
      {stats && (
        <>
          <div class="figures">
            <div class="figure">
              <span class="number">{stats.contacts}</span>urgent contacts
            </div>
            <div class="figure">
              <span class="number">{stats.ncbAcknowledgement.medianMinutes ?? '—'}</span>min median NCB acknowledgement (p90 {stats.ncbAcknowledgement.p90Minutes ?? '—'})
            </div>
            <div class="figure">
              <span class="number">{stats.formalRequestSubmission.medianHours ?? '—'}</span>h median to formal request (p90 {stats.formalRequestSubmission.p90Hours ?? '—'})
            </div>
            <div class="figure">
              <span class="number">{pct(stats.overdue.share)}</span>formal requests overdue
            </div>
            <div class="figure">
              <span class="number">{pct(stats.review.notJustifiedShare)}</span>judged not justified
            </div>
          </div>
          <div class="charts">
            <BarChart title="By ground" data={Object.fromEntries(Object.entries(stats.byGround).map(([k, v]) => [GROUND_WORDING[k]?.title ?? k, v]))} />
            <BarChart title="By country pair" data={stats.byCountryPair} />
            <BarChart title="By requesting agency" data={stats.byAgency} />
            <BarChart title="Per week" data={Object.fromEntries(stats.byWeek.map((w) => [w.week, w.contacts]))} />
          </div>
        </>
      )}
    </section>
  );
}
