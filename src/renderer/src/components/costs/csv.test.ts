process.env.TZ = 'UTC';

import { describe, expect, it } from 'vitest';
import { costsCsvRows, csvField, csvFileName, csvText, CSV_COLUMNS, type CsvValue } from './csv';
import { CALLS, reportOf } from './fixtures';

/** An RFC 4180 reader, to read back what was written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted && char === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += char;
    }
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

describe('CSV fields (RFC 4180)', () => {
  it('quotes only what needs it, doubling quotes', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('crlf\r\nhere')).toBe('"crlf\r\nhere"');
    expect(csvField('"')).toBe('""""');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
  });

  it('writes numbers plainly, dollars to a millionth without float noise', () => {
    expect(csvField(0.1 + 0.2)).toBe('0.3');
    expect(csvField(1234567)).toBe('1234567');
    expect(csvField(0.0000004)).toBe('0');
    expect(csvField(0.000001)).toBe('0.000001');
    expect(csvField(-1.5)).toBe('-1.5');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('keeps a label a spreadsheet would run as a formula from being one', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-cmd')).toBe("'-cmd");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('a=b')).toBe('a=b');
  });

  it('ends every line with CRLF and reads back as written', () => {
    const rows: CsvValue[][] = [
      ['a', 'b,c', 'd"e'],
      ['multi\r\nline', null, 3],
    ];
    const text = csvText(rows);
    expect(text).toBe('a,"b,c","d""e"\r\n"multi\r\nline",,3\r\n');
    expect(parseCsv(text)).toEqual([
      ['a', 'b,c', 'd"e'],
      ['multi\r\nline', '', '3'],
    ]);
  });
});

describe('the dashboard’s CSV', () => {
  const report = reportOf(CALLS, {
    since: '2026-11-06T00:00:00.000Z',
    budgets: [{ scope: 'day', subject: '2026-12-05', label: 'Today', limitUsd: 1, spentUsd: 0.3 }],
  });
  const read = (granularity: 'day' | 'week') =>
    parseCsv(csvText(costsCsvRows(report, { range: '30d', granularity })));
  const column = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
  const total = (rows: string[][], section: string, name: (typeof CSV_COLUMNS)[number]) =>
    rows
      .filter((row) => row[0] === section)
      .reduce((sum, row) => sum + Number(row[column(name)]), 0);

  it('has one header and a total row holding the report’s totals', () => {
    const rows = read('day');
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.every((row) => row.length === CSV_COLUMNS.length)).toBe(true);
    expect(rows[1]?.slice(0, 6)).toEqual([
      'total',
      'the last 30 days',
      'Total',
      '9',
      String(Math.round(report.totals.costUsd * 1e6) / 1e6),
      '2',
    ]);
  });

  it('holds the days of the current view (or the weeks), adding up to the totals', () => {
    for (const granularity of ['day', 'week'] as const) {
      const rows = read(granularity);
      const other = granularity === 'day' ? 'week' : 'day';
      expect(rows.some((row) => row[0] === other)).toBe(false);
      expect(total(rows, granularity, 'calls')).toBe(report.totals.calls);
      expect(total(rows, granularity, 'cost_usd')).toBeCloseTo(report.totals.costUsd, 5);
      expect(total(rows, granularity, 'unpriced_calls')).toBe(report.totals.unpricedCalls);
      expect(total(rows, granularity, 'cache_read_tokens')).toBe(report.totals.tokens.cacheRead);
    }
  });

  it('lists every project, agent, model, session and budget', () => {
    const rows = read('day');
    const keys = (section: string) => rows.filter((row) => row[0] === section).map((row) => row[1]);
    expect(keys('project')).toEqual(report.byProject.map((group) => group.key));
    expect(keys('agent')).toEqual(['claude', 'codex']);
    expect(keys('model')).toContain('claude-unknown-9');
    expect(keys('session')).toHaveLength(4);
    expect(rows.find((row) => row[0] === 'budget')).toEqual([
      'budget',
      'day:2026-12-05',
      'Today',
      '',
      '0.3',
      ...Array(8).fill(''),
      '1',
    ]);
  });

  it('carries a hostile label as data', () => {
    const hostile = reportOf([
      { ...(CALLS[0] as (typeof CALLS)[0]), task: '=cmd|"/c calc"!A1, x\r\ny' },
    ]);
    const rows = parseCsv(csvText(costsCsvRows(hostile, { range: 'all', granularity: 'day' })));
    expect(rows.find((row) => row[0] === 'session')?.[2]).toBe(`'=cmd|"/c calc"!A1, x\r\ny`);
  });

  it('is named for the range, the view and the day', () => {
    expect(csvFileName(report, { range: '7d', granularity: 'week' })).toBe(
      'paddock-costs-last-7-days-by-week-2026-12-05.csv',
    );
    expect(csvFileName(report, { range: 'all', granularity: 'day' })).toBe(
      'paddock-costs-all-time-by-day-2026-12-05.csv',
    );
  });
});
