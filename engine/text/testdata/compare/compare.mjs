// Converts every corpus email with html-to-text (the npm reference) for comparison with
// mailmold's converter. Usage (html-to-text installed in the current folder):
//   node compare.mjs CORPUS_DIR OUT_DIR
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
// html-to-text is resolved from the current folder, where it is installed.
const { convert } = createRequire(path.join(process.cwd(), 'x.js'))('html-to-text');
const [corpus, out] = process.argv.slice(2);
fs.mkdirSync(out, { recursive: true });
for (const f of fs.readdirSync(corpus).filter((f) => f.endsWith('.html'))) {
  const html = fs.readFileSync(path.join(corpus, f), 'utf8');
  const text = convert(html, {
    wordwrap: 78,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'table', format: 'dataTable' },
    ],
  });
  fs.writeFileSync(path.join(out, f.replace(/\.html$/, '.txt')), text + '\n');
}
