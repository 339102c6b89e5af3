// Search for the manual, run in the reader's browser against the index the
// build writes under /search/ (see src/search.rs for its layout). Nothing is
// requested from another host.
//
// Two places use it: the search box in every page's header (a combobox that
// shows results as you type; "/" focuses it), and the search page, whose
// address (/search/?q=...) can be linked. Both rank with `rank` below.
(function () {
  "use strict";

  // ---- Words, read as src/parse/words.rs reads them ----------------------

  // Kept in step with STOP_WORDS in src/parse/words.rs.
  var STOP = {};
  ("a an and are as at be by for from if in into is it its of on or that the this to " +
    "was we with you your").split(" ").forEach(function (w) { STOP[w] = true; });
  var LONGEST_TERM = 40;

  // The English Snowball stemmer ("Porter 2"), as the Rust crate
  // rust-stemmers runs it when the index is built. Written here because the
  // browser has no stemmer and the index must be read with the same one;
  // tests/search.rs compares the two on every word of real manuals.
  var stem = (function () {
    var EXCEPTIONS = {
      skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie",
      idly: "idl", gently: "gentl", ugly: "ugli", early: "earli", only: "onli",
      singly: "singl", sky: "sky", news: "news", howe: "howe", atlas: "atlas",
      cosmos: "cosmos", bias: "bias", andes: "andes"
    };
    var AFTER_1A = {
      inning: 1, outing: 1, canning: 1, herring: 1, earring: 1, proceed: 1,
      exceed: 1, succeed: 1
    };
    var STEP2 = [
      ["ization", "ize"], ["ational", "ate"], ["fulness", "ful"], ["ousness", "ous"],
      ["iveness", "ive"], ["tional", "tion"], ["biliti", "ble"], ["lessli", "less"],
      ["entli", "ent"], ["ation", "ate"], ["alism", "al"], ["aliti", "al"],
      ["ousli", "ous"], ["iviti", "ive"], ["fulli", "ful"], ["enci", "ence"],
      ["anci", "ance"], ["abli", "able"], ["izer", "ize"], ["ator", "ate"],
      ["alli", "al"], ["bli", "ble"], ["ogi", "og"], ["li", ""]
    ];
    var STEP3 = [
      ["ational", "ate"], ["tional", "tion"], ["alize", "al"], ["icate", "ic"],
      ["iciti", "ic"], ["ative", ""], ["ical", "ic"], ["ness", ""], ["ful", ""]
    ];
    var STEP4 = [
      "ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate",
      "iti", "ous", "ive", "ize", "ion", "al", "er", "ic"
    ];

    function isVowel(c) { return "aeiouy".indexOf(c) >= 0; }
    function hasVowel(s) {
      for (var i = 0; i < s.length; i++) if (isVowel(s[i])) return true;
      return false;
    }
    function endsWith(w, suffix) {
      return w.length >= suffix.length && w.slice(w.length - suffix.length) === suffix;
    }
    // A short syllable ending at position end (exclusive).
    function shortSyllableAt(w, end) {
      if (end === 2) return isVowel(w[0]) && !isVowel(w[1]);
      if (end < 3) return false;
      var a = w[end - 3], b = w[end - 2], c = w[end - 1];
      return !isVowel(a) && isVowel(b) && !isVowel(c) && "wxY".indexOf(c) < 0;
    }
    function regions(w) {
      var r1 = w.length;
      var prefix = /^(gener|commun|arsen)/.exec(w);
      if (prefix) {
        r1 = prefix[0].length;
      } else {
        for (var i = 1; i < w.length; i++) {
          if (!isVowel(w[i]) && isVowel(w[i - 1])) { r1 = i + 1; break; }
        }
      }
      var r2 = w.length;
      for (var j = r1 + 1; j < w.length; j++) {
        if (!isVowel(w[j]) && isVowel(w[j - 1])) { r2 = j + 1; break; }
      }
      return [r1, r2];
    }
    // The longest of `list` that `w` ends with, or null.
    function longest(w, list) {
      for (var i = 0; i < list.length; i++) {
        var s = typeof list[i] === "string" ? list[i] : list[i][0];
        if (endsWith(w, s)) return list[i];
      }
      return null;
    }

    return function (word) {
      if (word.length <= 2) return word;
      if (EXCEPTIONS.hasOwnProperty(word)) return EXCEPTIONS[word];
      var w = word;
      if (w[0] === "y") w = "Y" + w.slice(1);
      for (var i = 1; i < w.length; i++) {
        if (w[i] === "y" && isVowel(w[i - 1])) w = w.slice(0, i) + "Y" + w.slice(i + 1);
      }
      var rs = regions(w), r1 = rs[0], r2 = rs[1];

      // Step 1a.
      if (endsWith(w, "sses")) {
        w = w.slice(0, -2);
      } else if (endsWith(w, "ied") || endsWith(w, "ies")) {
        w = w.length > 4 ? w.slice(0, -2) : w.slice(0, -1);
      } else if (endsWith(w, "us") || endsWith(w, "ss")) {
        // kept
      } else if (endsWith(w, "s") && hasVowel(w.slice(0, -2))) {
        w = w.slice(0, -1);
      }
      if (AFTER_1A.hasOwnProperty(w)) return w;

      // Step 1b.
      var s1b = longest(w, ["eedly", "ingly", "edly", "eed", "ing", "ed"]);
      if (s1b === "eed" || s1b === "eedly") {
        if (w.length - s1b.length >= r1) w = w.slice(0, -s1b.length) + "ee";
      } else if (s1b && hasVowel(w.slice(0, -s1b.length))) {
        w = w.slice(0, -s1b.length);
        if (endsWith(w, "at") || endsWith(w, "bl") || endsWith(w, "iz")) {
          w += "e";
        } else if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(w)) {
          w = w.slice(0, -1);
        } else if (r1 >= w.length && shortSyllableAt(w, w.length)) {
          w += "e";
        }
      }

      // Step 1c.
      if ((endsWith(w, "y") || endsWith(w, "Y")) && w.length > 2 && !isVowel(w[w.length - 2])) {
        w = w.slice(0, -1) + "i";
      }

      // Step 2.
      var s2 = longest(w, STEP2);
      if (s2 && w.length - s2[0].length >= r1) {
        var before = w.slice(0, -s2[0].length);
        if (s2[0] === "ogi") {
          if (endsWith(before, "l")) w = before + "og";
        } else if (s2[0] === "li") {
          if ("cdeghkmnrt".indexOf(before[before.length - 1]) >= 0) w = before;
        } else {
          w = before + s2[1];
        }
      }

      // Step 3.
      var s3 = longest(w, STEP3);
      if (s3 && w.length - s3[0].length >= r1) {
        if (s3[0] === "ative") {
          if (w.length - 5 >= r2) w = w.slice(0, -5);
        } else {
          w = w.slice(0, -s3[0].length) + s3[1];
        }
      }

      // Step 4.
      var s4 = longest(w, STEP4);
      if (s4 && w.length - s4.length >= r2) {
        if (s4 === "ion") {
          var last = w[w.length - 4];
          if (last === "s" || last === "t") w = w.slice(0, -3);
        } else {
          w = w.slice(0, -s4.length);
        }
      }

      // Step 5.
      if (endsWith(w, "e")) {
        var at = w.length - 1;
        if (at >= r2 || (at >= r1 && !shortSyllableAt(w, at))) w = w.slice(0, -1);
      } else if (endsWith(w, "l") && w.length - 1 >= r2 && w[w.length - 2] === "l") {
        w = w.slice(0, -1);
      }
      return w.replace(/Y/g, "y");
    };
  })();

  // A lower-case word as the index holds it: stemmed when it is all ASCII
  // letters (as `stem` in src/parse/words.rs).
  // Remembered, since excerpts stem every word of the sections shown.
  var stems = new Map();
  function termOf(word) {
    var found = stems.get(word);
    if (found === undefined) {
      found = /^[a-z]+$/.test(word) ? stem(word) : word;
      if (stems.size > 20000) stems.clear();
      stems.set(word, found);
    }
    return found;
  }

  var WORD = /[\p{L}\p{N}]+/gu;

  // The words of a query: {raw, term}, stop words and single characters
  // dropped, as the index was made.
  function wordsOf(text) {
    var found = [];
    (text.toLowerCase().match(WORD) || []).forEach(function (raw) {
      if (Array.from(raw).length > 1 && raw.length <= LONGEST_TERM && !STOP[raw]) {
        found.push({ raw: raw, term: termOf(raw) });
      }
    });
    return found;
  }

  // A query: its words, the phrases in quotes, and whether the last word is
  // still being typed (so it matches as a prefix).
  function parseQuery(text) {
    var phrases = [];
    var quoted = /"([^"]+)"/g, m;
    while ((m = quoted.exec(text)) !== null) {
      var phrase = m[1].toLowerCase().match(WORD);
      if (phrase && phrase.length > 1) phrases.push(phrase.join(" "));
    }
    var words = wordsOf(text);
    var typing = words.length > 0 && /[\p{L}\p{N}]$/u.test(text);
    return { words: words, phrases: phrases, typing: typing };
  }

  // At most one edit (insert, delete, substitute, or swap two neighbours)
  // between a and b.
  function withinOneEdit(a, b) {
    if (a === b) return true;
    var la = a.length, lb = b.length;
    if (Math.abs(la - lb) > 1) return false;
    var i = 0;
    while (i < la && i < lb && a[i] === b[i]) i++;
    if (la === lb) {
      if (a.slice(i + 1) === b.slice(i + 1)) return true;
      return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    }
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  // How well an index term answers a query word: 1 for the same stem, less
  // for the start of a word being typed or a word one typo away, 0 for no.
  var TYPED_PREFIX = 0.7;
  var TYPO = 0.5;
  function matchOf(word, term, typing) {
    if (term === word.term || term === word.raw) return 1;
    if (typing && word.raw.length >= 2 &&
        (term.lastIndexOf(word.term, 0) === 0 || term.lastIndexOf(word.raw, 0) === 0)) {
      return TYPED_PREFIX;
    }
    if (typing && term.length >= 4 && word.raw.lastIndexOf(term, 0) === 0 &&
        word.raw.length - term.length <= 3) {
      return TYPED_PREFIX;
    }
    if (Array.from(word.raw).length >= 5 && term.length >= 4) {
      if (withinOneEdit(word.term, term) || withinOneEdit(word.raw, term)) return TYPO;
      // A form the stemmer did not reduce, or a typo after the stem.
      if (term.length >= 5 && word.raw.lastIndexOf(term, 0) === 0 &&
          word.raw.length - term.length <= 4) {
        return TYPO;
      }
    }
    return 0;
  }

  function shardOf(term) {
    return Array.from(term).slice(0, 2).map(function (c) {
      return /^[a-z0-9]$/.test(c) ? c : "_";
    }).join("");
  }

  // ---- The index, fetched in pieces -------------------------------------

  function Index(url) {
    this.url = url;
    // Addresses in the index are under the site's root, the folder above
    // the index: root-relative ones as written, relative ones (a site
    // built with relative_links) resolved from there.
    this.root = new URL(url + "../", document.baseURI);
    this.pages = null;
    this.shards = {};
    this.sections = {};
  }
  Index.prototype.fetchJson = function (name) {
    return fetch(this.url + name).then(function (response) {
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(name + ": " + response.status);
      return response.json();
    });
  };
  Index.prototype.address = function (pageUrl) {
    var url = new URL(pageUrl, this.root);
    // On a server, a path as the site writes its own links; from disk,
    // the whole file address.
    return url.origin === window.location.origin && url.protocol !== "file:"
      ? url.pathname + url.search + url.hash
      : url.href;
  };
  Index.prototype.pageList = function () {
    if (!this.pages) this.pages = this.fetchJson("pages.json").then(function (p) { return p || []; });
    return this.pages;
  };
  Index.prototype.shard = function (name) {
    if (!this.shards[name]) {
      this.shards[name] = this.fetchJson("terms-" + name + ".json").then(function (s) { return s || {}; });
    }
    return this.shards[name];
  };
  Index.prototype.sectionsOf = function (page) {
    if (!this.sections[page]) {
      this.sections[page] = this.fetchJson("page-" + page + ".json").then(function (s) { return s || []; });
    }
    return this.sections[page];
  };

  // ---- Ranking ------------------------------------------------------------

  // Pages that match, best first: those matching more of the query's words
  // first, then by the weight of each match (title, headings, description,
  // body, as src/parse/words.rs weighed them) times how rare the term is.
  function rank(index, query) {
    var words = query.words;
    if (words.length === 0) return Promise.resolve([]);
    var wanted = words.map(function (w) { return index.shard(shardOf(w.term)); });
    return Promise.all([index.pageList()].concat(wanted)).then(function (loaded) {
      var list = loaded[0];
      var pageCount = list.length;
      // Typed arrays indexed by page number: a common word's postings cover
      // most pages of a large manual, and objects keyed by number were the
      // slowest part of a keystroke.
      var score = new Float64Array(pageCount);
      var matched = new Uint8Array(pageCount);
      var touched = [];
      words.forEach(function (word, i) {
        var shard = loaded[i + 1];
        var typing = query.typing && i === words.length - 1;
        var best = new Float64Array(pageCount);
        var hit = [];
        Object.keys(shard).forEach(function (term) {
          var match = matchOf(word, term, typing);
          if (match === 0) return;
          var postings = shard[term];
          var rarity = Math.log(1 + Math.max(pageCount, 1) / (postings.length / 2));
          for (var p = 0; p < postings.length; p += 2) {
            var page = postings[p];
            if (page >= pageCount) continue;
            var value = postings[p + 1] * match * rarity;
            if (best[page] === 0) hit.push(page);
            if (value > best[page]) best[page] = value;
          }
        });
        for (var h = 0; h < hit.length; h++) {
          var page = hit[h];
          if (matched[page] === 0) touched.push(page);
          matched[page] += 1;
          score[page] += best[page];
        }
      });
      if (query.phrases.length) {
        touched = touched.filter(function (page) { return matched[page] === words.length; });
      }
      // Numbers first (cheap for thousands of pages), then titles break
      // ties among the results anyone will see.
      touched.sort(function (a, b) { return matched[b] - matched[a] || score[b] - score[a]; });
      var top = touched.slice(0, 100).sort(function (a, b) {
        return matched[b] - matched[a] || score[b] - score[a] || (list[a][0] < list[b][0] ? -1 : list[a][0] > list[b][0] ? 1 : 0);
      });
      touched = top.concat(touched.slice(100));
      return touched.map(function (page) {
        return { page: page, matched: matched[page], score: score[page], info: list[page] };
      });
    });
  }

  // ---- Sections and excerpts ----------------------------------------------

  var EXCERPT_CHARS = 180;

  // Which of the query's words (a bit each) a word of the text answers,
  // remembered per query: a page's sections repeat their words, and
  // matching each one again was most of the time a keystroke took.
  function maskOf(query, raw) {
    var memo = query.memo || (query.memo = new Map());
    var lower = raw.toLowerCase();
    var mask = memo.get(lower);
    if (mask !== undefined) return mask;
    mask = 0;
    var term = termOf(lower);
    for (var i = 0; i < query.words.length && i < 30; i++) {
      var typing = query.typing && i === query.words.length - 1;
      if (matchOf(query.words[i], term, typing) > 0 || matchOf(query.words[i], lower, typing) > 0) {
        mask |= 1 << i;
      }
    }
    memo.set(lower, mask);
    return mask;
  }

  // Whether a word of the text answers a word of the query.
  function hits(query, raw) {
    return maskOf(query, raw) !== 0;
  }

  // How many of the query's words a text holds.
  function coverage(query, text) {
    var mask = 0;
    var re = new RegExp(WORD.source, "gu"), m;
    while ((m = re.exec(text)) !== null) mask |= maskOf(query, m[0]);
    var count = 0;
    for (; mask; mask &= mask - 1) count++;
    return count;
  }

  function normalised(text) {
    return (text.toLowerCase().match(WORD) || []).join(" ");
  }

  function sentencesOf(text) {
    return text.split(/(?<=[.!?:])\s+/);
  }

  // The sentence of `text` that holds most of the query's words, cut to
  // about EXCERPT_CHARS around its first hit; null when none holds any.
  function excerptOf(query, text) {
    var best = null, bestCount = 0;
    sentencesOf(text).forEach(function (sentence) {
      var count = coverage(query, sentence);
      if (count > bestCount) { best = sentence; bestCount = count; }
    });
    if (!best) return null;
    if (best.length <= EXCERPT_CHARS) return best;
    var first = 0;
    var re = new RegExp(WORD.source, "gu"), m;
    while ((m = re.exec(best)) !== null) {
      if (hits(query, m[0])) { first = m.index; break; }
    }
    var start = Math.max(0, first - 40);
    var cut = best.slice(start, start + EXCERPT_CHARS);
    return (start > 0 ? "\u2026" : "") + cut + (start + EXCERPT_CHARS < best.length ? "\u2026" : "");
  }

  // Writes `text` into `element`, the words that answer the query in <mark>.
  function writeMarked(element, query, text) {
    var re = new RegExp(WORD.source, "gu"), m, at = 0;
    while ((m = re.exec(text)) !== null) {
      if (!hits(query, m[0])) continue;
      element.appendChild(document.createTextNode(text.slice(at, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      element.appendChild(mark);
      at = m.index + m[0].length;
    }
    element.appendChild(document.createTextNode(text.slice(at)));
  }

  // A page's result in full: its excerpt and the sections (h2, h3) that
  // match, best first. Null when the query has a phrase the page lacks.
  var MAX_SECTIONS = 3;
  function detail(index, query, entry) {
    return index.sectionsOf(entry.page).then(function (sections) {
      var all = normalised(entry.info[0] + " " + sections.map(function (s) {
        return s[0] + " " + s[2];
      }).join(" "));
      for (var p = 0; p < query.phrases.length; p++) {
        if (all.indexOf(query.phrases[p]) < 0) return null;
      }
      var matching = [];
      var excerpt = null, excerptCount = 0;
      sections.forEach(function (section, order) {
        var inHeading = section[0] ? coverage(query, section[0]) : 0;
        var inText = coverage(query, section[2]);
        var text = inText > 0 ? excerptOf(query, section[2]) : null;
        if (text && inText > excerptCount) { excerpt = text; excerptCount = inText; }
        if (section[1] && (inHeading > 0 || inText > 0)) {
          matching.push({
            heading: section[0], id: section[1], excerpt: text,
            score: inHeading * 3 + inText, order: order
          });
        }
      });
      matching.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
      return {
        entry: entry,
        excerpt: excerpt || entry.info[3],
        sections: matching.slice(0, MAX_SECTIONS)
      };
    });
  }

  // The first `count` results in full, dropping pages a phrase rules out.
  function resultsFor(index, query, count) {
    return rank(index, query).then(function (ranked) {
      var candidates = ranked.slice(0, query.phrases.length ? Math.max(count * 4, 40) : count);
      return Promise.all(candidates.map(function (entry) {
        return detail(index, query, entry);
      })).then(function (details) {
        var shown = details.filter(Boolean);
        return {
          total: query.phrases.length ? shown.length : ranked.length,
          results: shown.slice(0, count)
        };
      });
    });
  }

  function sectionHref(pageUrl, id) {
    return pageUrl + "#" + encodeURIComponent(id);
  }

  // ---- The search page ----------------------------------------------------

  function searchPage() {
    var results = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    var input = document.getElementById("search-page-query");
    if (!results || !status || !input) return;
    var index = new Index(results.getAttribute("data-index"));
    var MAX_RESULTS = 50;

    function show(text, found) {
      results.textContent = "";
      if (found === null) { status.textContent = ""; return; }
      var query = parseQuery(text);
      found.results.forEach(function (result) {
        var info = result.entry.info;
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = index.address(info[1]);
        link.textContent = info[0];
        item.appendChild(link);
        if (info[2]) {
          var section = document.createElement("span");
          section.className = "search-results__section";
          section.textContent = " in " + info[2];
          item.appendChild(section);
        }
        if (result.excerpt) {
          var excerpt = document.createElement("p");
          writeMarked(excerpt, query, result.excerpt);
          item.appendChild(excerpt);
        }
        if (result.sections.length) {
          var list = document.createElement("ul");
          list.className = "search-results__sections";
          list.setAttribute("aria-label", "Sections of " + info[0]);
          result.sections.forEach(function (s) {
            var row = document.createElement("li");
            var a = document.createElement("a");
            a.href = sectionHref(index.address(info[1]), s.id);
            a.textContent = s.heading;
            row.appendChild(a);
            if (s.excerpt) {
              var p = document.createElement("p");
              writeMarked(p, query, s.excerpt);
              row.appendChild(p);
            }
            list.appendChild(row);
          });
          item.appendChild(list);
        }
        results.appendChild(item);
      });
      var count = found.total;
      status.textContent = count === 0
        ? "No pages match \u201c" + text + "\u201d."
        : (count === 1 ? "1 page matches" : count + " pages match") + " \u201c" + text + "\u201d" +
          (count > MAX_RESULTS ? "; the first " + MAX_RESULTS + " are shown." : ".");
    }

    var latest = 0;
    function run(text) {
      var ticket = ++latest;
      var query = parseQuery(text);
      if (query.words.length === 0) { show(text, null); return; }
      resultsFor(index, query, MAX_RESULTS).then(function (found) {
        if (ticket === latest) show(text, found);
      }, function (error) {
        if (ticket === latest) status.textContent = "Search is not available: " + error.message;
      });
    }

    // Results follow every keystroke (a stale answer is dropped by its
    // ticket); the address, which the browser rate-limits, follows a pause.
    var timer = null;
    input.addEventListener("input", function () {
      run(input.value);
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = new URL(window.location.href);
        url.searchParams.set("q", input.value);
        history.replaceState(null, "", url);
      }, 300);
    });

    var initial = new URLSearchParams(window.location.search).get("q") || "";
    input.value = initial;
    if (initial) run(initial);
    focusOnSlash(input);
  }

  // ---- The header's search box: an ARIA combobox --------------------------

  var MAX_SUGGESTIONS = 6;

  function headerBox() {
    var form = document.querySelector("form.site-search[data-index]");
    if (!form) return;
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[role=status]");
    if (!input || !list || !status) return;
    var index = new Index(form.getAttribute("data-index"));
    var options = [];
    var active = -1;

    function setActive(i) {
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = i;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function option(href, label, detailText, query, nested) {
      var row = document.createElement("li");
      row.id = "site-search-option-" + options.length;
      row.setAttribute("role", "option");
      row.setAttribute("aria-selected", "false");
      row.className = "site-search__option" + (nested ? " site-search__option--section" : "");
      row.setAttribute("data-href", href);
      var title = document.createElement("span");
      title.className = "site-search__title";
      title.textContent = label;
      row.appendChild(title);
      if (detailText) {
        var more = document.createElement("span");
        more.className = "site-search__excerpt";
        writeMarked(more, query, detailText);
        row.appendChild(more);
      }
      row.addEventListener("mousedown", function (event) { event.preventDefault(); });
      row.addEventListener("click", function () { window.location.href = href; });
      options.push(row);
      list.appendChild(row);
    }

    function show(text, found) {
      list.textContent = "";
      options = [];
      active = -1;
      var query = parseQuery(text);
      found.results.forEach(function (result) {
        var info = result.entry.info;
        option(index.address(info[1]), info[0], result.excerpt, query, false);
        result.sections.slice(0, 1).forEach(function (s) {
          option(sectionHref(index.address(info[1]), s.id), info[0] + " \u203a " + s.heading, null, query, true);
        });
      });
      var count = found.total;
      status.textContent = count === 0 ? "No pages match." :
        (count === 1 ? "1 page matches." : count + " pages match.") +
        " Use the up and down arrows to choose, and Enter to go.";
      list.hidden = options.length === 0;
      input.setAttribute("aria-expanded", options.length ? "true" : "false");
    }

    var latest = 0;
    input.addEventListener("input", function () {
      var text = input.value;
      var ticket = ++latest;
      var query = parseQuery(text);
      if (query.words.length === 0) { close(); status.textContent = ""; return; }
      resultsFor(index, query, MAX_SUGGESTIONS).then(function (found) {
        if (ticket === latest) show(text, found);
      }, function () {
        if (ticket === latest) { close(); status.textContent = "Search is not available."; }
      });
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!options.length) return;
        event.preventDefault();
        if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        // Past either end, the choice goes back to the box itself (-1).
        var next = active + (event.key === "ArrowDown" ? 1 : -1);
        if (next >= options.length) next = -1;
        if (next < -1) next = options.length - 1;
        setActive(next);
      } else if (event.key === "Enter" && active >= 0 && options[active]) {
        event.preventDefault();
        window.location.href = options[active].getAttribute("data-href");
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); } else { input.value = ""; }
      }
    });
    input.addEventListener("blur", close);
    input.addEventListener("focus", function () {
      if (options.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
    });
    focusOnSlash(input);
  }

  // "/" focuses the search box, unless the reader is typing somewhere.
  function focusOnSlash(input) {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      event.preventDefault();
      input.focus();
      input.select();
    });
  }

  // For tests/search.rs, which compares this stemmer and ranking with the
  // index's; not used by the page.
  if (typeof module !== "undefined" && module.exports) {
    module.exports = {
      stem: stem, parseQuery: parseQuery, matchOf: matchOf, withinOneEdit: withinOneEdit,
      Index: Index, rank: rank, resultsFor: resultsFor
    };
    return;
  }
  searchPage();
  headerBox();
})();
