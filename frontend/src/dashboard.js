// Admin dashboard charts; the same figures are in tables on the page.
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const figures = JSON.parse(document.getElementById('figures').textContent);
const days = figures.urlsPerDay.map((d) => d.day);

new Chart(document.getElementById('urls-chart'), {
  type: 'bar',
  data: { labels: days, datasets: [{ label: 'URLs issued', data: figures.urlsPerDay.map((d) => d.count), backgroundColor: '#1f5eff' }] },
  options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
});

// The legend shows labels (one per reason code), never raw codes or sentences.
const reasons = [...new Set(figures.denialsPerDay.map((d) => d.reason))];
const labelOf = Object.fromEntries(figures.denialsPerDay.map((d) => [d.reason, d.label]));
const palette = ['#b42318', '#9a5b00', '#6941c6', '#0e7090', '#5b6474', '#c11574'];
new Chart(document.getElementById('denials-chart'), {
  type: 'bar',
  data: {
    labels: days,
    datasets: reasons.map((reason, i) => ({
      label: labelOf[reason],
      backgroundColor: palette[i % palette.length],
      data: days.map((day) => figures.denialsPerDay.filter((d) => d.day === day && d.reason === reason)
        .reduce((sum, d) => sum + d.count, 0)),
    })),
  },
  options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
});
