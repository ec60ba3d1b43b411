// Print the text of each PDF named on the command line as pdf.js (Firefox's reader) extracts it:
// one JSON object per line, {"file": ..., "pages": ["text of page 1", ...]}. Items are joined as
// Firefox's text layer does: an item's end of line becomes a newline.
import { readFile } from "node:fs/promises";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

for (const file of process.argv.slice(2)) {
  const data = new Uint8Array(await readFile(file));
  const pdf = await getDocument({ data, verbosity: 0, useSystemFonts: false }).promise;
  const pages = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n);
    const content = await page.getTextContent();
    pages.push(content.items.map((item) => item.str + (item.hasEOL ? "\n" : "")).join(""));
  }
  await pdf.destroy();
  process.stdout.write(JSON.stringify({ file, pages }) + "\n");
}
