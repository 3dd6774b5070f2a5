// Converts every .html file of a folder with html-to-text (the npm reference) for
// comparison with mailmold's converter (TestCompareHTMLToText). Usage, with html-to-text
// installed in the current folder:
//   node compare.mjs IN_DIR OUT_DIR [default|datatables]
// default: html-to-text's defaults with 78-column wrapping and a link's URL left out when
//   it is its text (tables are flattened, as most users run it);
// datatables: the same with every table formatted as a data table.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
// html-to-text is resolved from the current folder, where it is installed.
const { convert } = createRequire(path.join(process.cwd(), 'x.js'))('html-to-text');
const [inDir, out, config = 'default'] = process.argv.slice(2);
const selectors = [{ selector: 'a', options: { hideLinkHrefIfSameAsText: true } }];
if (config === 'datatables') {
  selectors.push({ selector: 'table', format: 'dataTable' });
} else if (config !== 'default') {
  throw new Error(`unknown configuration ${config}`);
}
fs.mkdirSync(out, { recursive: true });
for (const f of fs.readdirSync(inDir).filter((f) => f.endsWith('.html'))) {
  const html = fs.readFileSync(path.join(inDir, f), 'utf8');
  const text = convert(html, { wordwrap: 78, selectors });
  fs.writeFileSync(path.join(out, f.replace(/\.html$/, '.txt')), text + '\n');
}
