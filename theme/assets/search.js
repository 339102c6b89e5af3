// Search for the manual, run in the reader's browser against the index
// the build writes under /search/ (see src/search.rs for its layout).
// Nothing is requested from another host.
(function () {
  "use strict";
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var input = document.getElementById("search-page-query");
  if (!results || !status || !input) return;
  var indexUrl = results.getAttribute("data-index");
  var MAX_RESULTS = 50;
  // Kept in step with STOP_WORDS in src/search.rs.
  var STOP = ("a an and are as at be by for from if in into is it its of on or that the this to " +
    "was we with you your").split(" ");

  var pages = null;
  var shards = {};

  function fetchJson(url) {
    return fetch(url).then(function (response) {
      if (response.status === 404) return {};
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }

  // The same split as `terms` in src/search.rs.
  function terms(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (word) {
      return Array.from(word).length > 1 && STOP.indexOf(word) < 0;
    });
  }

  function shardOf(term) {
    return Array.from(term).slice(0, 2).map(function (c) {
      return /^[a-z0-9]$/.test(c) ? c : "_";
    }).join("");
  }

  function loadShard(name) {
    if (!shards[name]) shards[name] = fetchJson(indexUrl + "terms-" + name + ".json");
    return shards[name];
  }

  // Every query word must match a word of the page, whole or as its start;
  // a whole-word match counts double.
  function search(query) {
    var words = terms(query);
    if (words.length === 0) return Promise.resolve(null);
    if (!pages) pages = fetchJson(indexUrl + "pages.json");
    return Promise.all([pages].concat(words.map(function (w) { return loadShard(shardOf(w)); })))
      .then(function (loaded) {
        var scores = null;
        words.forEach(function (word, i) {
          var shard = loaded[i + 1];
          var found = {};
          Object.keys(shard).forEach(function (term) {
            if (term.lastIndexOf(word, 0) !== 0) return;
            var factor = term === word ? 2 : 1;
            var postings = shard[term];
            for (var p = 0; p < postings.length; p += 2) {
              var score = postings[p + 1] * factor;
              if (!(found[postings[p]] >= score)) found[postings[p]] = score;
            }
          });
          if (scores === null) {
            scores = found;
          } else {
            var both = {};
            Object.keys(found).forEach(function (page) {
              if (page in scores) both[page] = scores[page] + found[page];
            });
            scores = both;
          }
        });
        var list = loaded[0];
        return Object.keys(scores).map(function (page) {
          return { page: list[page], score: scores[page] };
        }).sort(function (a, b) {
          return b.score - a.score || a.page[0].localeCompare(b.page[0]);
        });
      });
  }

  function show(query, found) {
    results.textContent = "";
    if (found === null) {
      status.textContent = "";
      return;
    }
    found.slice(0, MAX_RESULTS).forEach(function (result) {
      var page = result.page;
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = page[1];
      link.textContent = page[0];
      item.appendChild(link);
      if (page[2]) {
        var section = document.createElement("span");
        section.className = "search-results__section";
        section.textContent = " in " + page[2];
        item.appendChild(section);
      }
      if (page[3]) {
        var summary = document.createElement("p");
        summary.textContent = page[3];
        item.appendChild(summary);
      }
      results.appendChild(item);
    });
    var count = found.length;
    status.textContent = count === 0
      ? "No pages match \u201c" + query + "\u201d."
      : (count === 1 ? "1 page matches" : count + " pages match") + " \u201c" + query + "\u201d" +
        (count > MAX_RESULTS ? "; the first " + MAX_RESULTS + " are shown." : ".");
  }

  var latest = 0;
  function run(query) {
    var ticket = ++latest;
    search(query).then(function (found) {
      if (ticket === latest) show(query, found);
    }, function (error) {
      if (ticket === latest) status.textContent = "Search is not available: " + error.message;
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      history.replaceState(null, "", url);
      run(input.value);
    }, 150);
  });

  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  if (initial) run(initial);
})();
