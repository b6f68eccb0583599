import { tinyReport } from './__fixtures__/quality-fixtures';
import { renderQualityReportHtml } from './report-html';
import type { QualityReport } from './report-types';

describe('renderQualityReportHtml', () => {
  let report: QualityReport;

  beforeAll(() => {
    report = tinyReport();
    // A label that would break the markup if it were not escaped.
    report.plots.labels[report.plots.heatmap.codes[0]] = '<b>&"x"';
  });

  it('is self-contained: no scripts, stylesheets, images or fonts to fetch', () => {
    // Execute
    const html = renderQualityReportHtml(report);
    // Assert: the only URL is the SVG namespace, which is a name, not a request.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=|href=/i);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:/);
  });

  it('draws the plots and states the verdicts', () => {
    const html = renderQualityReportHtml(report, { title: 'Demo', notes: ['3 codes outside the vocabulary'] });
    // Scatter, histogram, two heatmaps, prediction dots, privacy dots.
    expect(html.match(/<svg /g)).toHaveLength(6);
    expect(html).toContain('<title>Demo</title>');
    expect(html).toContain('3 codes outside the vocabulary');
    for (const area of ['fidelity', 'utility', 'privacy'] as const) expect(html).toContain(report.verdicts[area].text.replace(/&/g, '&amp;'));
  });

  it('escapes code labels', () => {
    const html = renderQualityReportHtml(report);
    expect(html).toContain('&lt;b&gt;&amp;&quot;x&quot;');
    expect(html).not.toContain('<b>&"x"');
  });
});
