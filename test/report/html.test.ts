import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../harness/report/html.js';
import {
  CERTIFICATE,
  certificationResults,
  EXPIRY_PASSING,
  failingResults,
  PROVISION_FAILING_DNS,
} from './fixture.js';

describe('report.html (markup)', () => {
  it('escapes provider text: no markup of its own gets into the page', () => {
    const html = renderHtml(failingResults());
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;x&#39;');
    expect(html).not.toContain('\u001b');
    expect(html).toContain('\\u0001');
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('is self-contained: nothing fetched, and a policy that forbids fetching', () => {
    const html = renderHtml(failingResults());
    expect(html).not.toMatch(/\b(src|href)="(?!#|data:)/);
    expect(html).not.toMatch(/https?:\/\/(?!&lt;label&gt;)/);
    expect(html).toMatch(
      /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-/,
    );
  });

  it('shows a signed certificate: signer, subject, contract, validity and each check of verify', () => {
    expect(renderHtml(failingResults())).not.toContain('id="certificate"');
    const html = renderHtml(failingResults(), CERTIFICATE);
    const section = html.slice(
      html.indexOf('<section id="certificate"'),
      html.indexOf('</section>', html.indexOf('id="certificate"')),
    );
    expect(section).toContain('NOT valid');
    for (const text of [
      CERTIFICATE.signer,
      CERTIFICATE.subject,
      '0x00000000000000000000000000000000000a11ce on chain 31337',
      '(block 12)',
      CERTIFICATE.validUntil,
      `sha256:${CERTIFICATE.digest}`,
    ]) {
      expect(section).toContain(text);
    }
    expect(section).toMatch(/FAIL<\/span><\/td><td>validity window/);
    expect(section).not.toContain('<b>');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('href="#certificate"');
  });

  it('says whether a mutant was judged as it declared', () => {
    const asDeclared = certificationResults([[PROVISION_FAILING_DNS, EXPIRY_PASSING]], {
      mustFail: ['PROV-DNS'],
    });
    asDeclared.requirements = asDeclared.requirements.map((r) =>
      r.verdict === 'skip' ? { ...r, verdict: 'pass' } : r,
    );
    expect(renderHtml(asDeclared)).toContain('judged as declared');
    const missed = certificationResults([[EXPIRY_PASSING]], { mustFail: ['PROV-DNS'] });
    expect(renderHtml(missed)).toMatch(/not judged as declared.*did not fail: PROV-DNS/);
  });

  it('shows a scenario the harness broke among the failures, with its error', () => {
    const broken = { ...EXPIRY_PASSING, status: 'error' as const, error: 'engine <gone>' };
    const html = renderHtml(certificationResults([[broken]], { outcome: 'harness-error' }));
    expect(html).toContain('HARNESS ERROR');
    expect(html).toMatch(
      /<section id="failures">[\s\S]*harness error[\s\S]*engine &lt;gone&gt;[\s\S]*<\/section>/,
    );
  });
});
