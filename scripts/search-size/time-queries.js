// Usage: node time-queries.js BUILT_SITE_FOLDER
// Time from query to results (top 10 with sections), index files already
// parsed in memory: the work a keystroke costs once the shards are loaded.
const s = require("../../theme/assets/search.js");
const fs = require("fs");
const root = process.argv[2];
const cache = {};
s.Index.prototype.fetchJson = function (name) {
  const p = root + "/search/" + name;
  if (!(p in cache)) cache[p] = fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, "utf8")) : null;
  return Promise.resolve(cache[p]);
};
const queries = ["deploy", "restarting servers", "certifcate", "rotate keys", "databse backup", "monitoring alerts", "kubernetes pods"];
(async () => {
  const index = new s.Index("");
  for (const q of queries) await s.resultsFor(index, s.parseQuery(q), 10); // load
  for (const q of queries) {
    const times = [];
    for (let i = 0; i < 7; i++) {
      const t = process.hrtime.bigint();
      await s.resultsFor(index, s.parseQuery(q), 10);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(q.padEnd(22) + " median " + times[3].toFixed(1) + " ms");
  }
})();
