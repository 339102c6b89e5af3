// Index bytes per page: manual's search index against a lunr index of the
// same pages, built as the tech-docs gem builds its own (middleman-search:
// fields title, boost 100, and content, boost 50; title, url and content
// stored beside the index). Usage: node compare.js BUILT_SITE_FOLDER
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const lunr = require("lunr");

const search = path.join(process.argv[2], "search");
const pages = JSON.parse(fs.readFileSync(path.join(search, "pages.json"), "utf8"));
const docs = pages.map((page, number) => {
  const sections = JSON.parse(fs.readFileSync(path.join(search, `page-${number}.json`), "utf8"));
  return {
    id: String(number),
    title: page[0],
    url: page[1],
    content: sections.map((s) => `${s[0]} ${s[2]}`).join(" "),
  };
});

const started = process.hrtime.bigint();
const index = lunr(function () {
  this.ref("id");
  this.field("title", { boost: 100 });
  this.field("content", { boost: 50 });
  docs.forEach((doc) => this.add(doc));
});
const lunrMs = Number(process.hrtime.bigint() - started) / 1e6;
const store = {};
docs.forEach((d) => { store[d.id] = { title: d.title, url: d.url, content: d.content }; });
const lunrIndex = JSON.stringify(index);
const lunrStore = JSON.stringify(store);

let ours = 0, oursGz = 0, sections = 0, sectionsGz = 0;
for (const name of fs.readdirSync(search)) {
  const bytes = fs.readFileSync(path.join(search, name));
  const gz = zlib.gzipSync(bytes).length;
  if (name.startsWith("page-")) { sections += bytes.length; sectionsGz += gz; }
  else if (name.endsWith(".json")) { ours += bytes.length; oursGz += gz; }
}
const n = pages.length;
const per = (b) => (b / n).toFixed(0);
const gz = (s) => zlib.gzipSync(Buffer.from(s)).length;
console.log(`pages: ${n}`);
console.log(`manual terms + pages.json: ${per(ours)} B/page (gzip ${per(oursGz)})`);
console.log(`manual page-N.json sections: ${per(sections)} B/page (gzip ${per(sectionsGz)})`);
console.log(`lunr index: ${per(lunrIndex.length)} B/page (gzip ${per(gz(lunrIndex))}), built in ${lunrMs.toFixed(0)} ms`);
console.log(`lunr stored docs: ${per(lunrStore.length)} B/page (gzip ${per(gz(lunrStore))})`);
