// Precedent's enhancements. Every page works without this file; with it:
// "/" focuses the search box, recent searches are kept in this browser only,
// "Copy citation" fills the clipboard, filters update the results in place,
// "Similar paragraphs" opens inline, and n / p move between matches in a document.
"use strict";

const RECENT_KEY = "precedent.recent";
const RECENT_MAX = 8;

function typing(target) {
  const boxes = "input:not([type=checkbox], [type=radio], [type=button], [type=submit])";
  return target.closest(`${boxes}, textarea, select, [contenteditable]`) !== null;
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (event.key === "/") {
    const box = document.getElementById("q");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    } else {
      window.location.href = "/";
    }
  } else if (event.key === "n" || event.key === "p") {
    moveBetweenHits(event.key === "n" ? 1 : -1);
  }
});

// Recent searches: in localStorage, never sent anywhere.
function recentSearches() {
  try {
    return JSON.parse(localStorage.getItem(RECENT_KEY)) || [];
  } catch (error) {
    return [];
  }
}

function remember(query, url) {
  // one entry a query: its latest filters, order and page are the ones to go back to
  const kept = recentSearches().filter((item) => item.query.toLowerCase() !== query.toLowerCase());
  kept.unshift({ query, url });
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(kept.slice(0, RECENT_MAX)));
  } catch (error) {
    // storage full or disabled: recent searches are a convenience
  }
}

function showRecent() {
  const box = document.getElementById("recent");
  const query = new URLSearchParams(window.location.search).get("q");
  if (!box || query) return;
  const items = recentSearches();
  const list = box.querySelector("ul");
  list.replaceChildren(...items.map((item) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = item.url;
    a.textContent = item.query;
    li.append(a);
    return li;
  }));
  box.hidden = items.length === 0;
  document.getElementById("recent-clear").addEventListener("click", () => {
    localStorage.removeItem(RECENT_KEY);
    box.hidden = true;
    document.getElementById("q").focus();
  });
}

// Results: copy buttons, inline similar paragraphs, filters without a reload.
function announce(message) {
  let region = document.getElementById("announce");
  if (!region) {
    region = document.createElement("p");
    region.id = "announce";
    region.className = "visually-hidden";
    region.setAttribute("aria-live", "polite");
    document.body.append(region);
  }
  region.textContent = message;
}

function enhanceResults(root) {
  for (const button of root.querySelectorAll("button.copy")) {
    button.hidden = !navigator.clipboard;
    button.addEventListener("click", async () => {
      const link = new URL(button.dataset.url, window.location.origin).href;
      try {
        await navigator.clipboard.writeText(`${button.dataset.citation} ${link}`);
        button.textContent = "Copied";
        announce("Citation copied");
        setTimeout(() => { button.textContent = "Copy citation"; }, 2000);
      } catch (error) {
        announce("The browser did not allow copying; select the citation instead");
      }
    });
  }
  for (const link of root.querySelectorAll("a.similar-link")) {
    link.setAttribute("aria-expanded", "false");
    link.addEventListener("click", (event) => {
      event.preventDefault();
      toggleSimilar(link);
    });
  }
}

async function toggleSimilar(link) {
  const box = link.closest(".result").querySelector(".similar");
  if (!box.hidden) {
    box.hidden = true;
    link.setAttribute("aria-expanded", "false");
    return;
  }
  const response = await fetch(link.dataset.api, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    window.location.href = link.href;
    return;
  }
  const data = await response.json();
  const heading = document.createElement("h3");
  heading.textContent = "Similar paragraphs in other documents";
  const list = document.createElement("ol");
  for (const item of data.similar) {
    const li = document.createElement("li");
    const text = document.createElement("p");
    text.textContent = item.text;
    const cite = document.createElement("p");
    cite.className = "cite";
    const a = document.createElement("a");
    a.href = item.url;
    a.textContent = item.citation;
    cite.append(a);
    li.append(text, cite);
    list.append(li);
  }
  box.replaceChildren(heading, list);
  box.hidden = false;
  link.setAttribute("aria-expanded", "true");
}

function searchUrl(form) {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (String(value).trim() !== "") params.append(name, value);
  }
  return `${form.action}?${params}`;
}

let pending = null;  // the refresh under way: a later change supersedes it

async function refresh(url, focusId, push, query) {
  const results = document.getElementById("results");
  results.setAttribute("aria-busy", "true");
  if (pending) pending.abort();
  const request = new AbortController();
  pending = request;
  let response, body;
  try {
    response = await fetch(url, { headers: { "X-Requested-With": "precedent" }, signal: request.signal });
    body = response.ok ? await response.text() : "";
  } catch (error) {
    if (error.name === "AbortError") return;
    throw error;
  }
  if (pending !== request) return;
  pending = null;
  if (!response.ok) {
    window.location.href = url;  // the full page says what went wrong
    return;
  }
  results.innerHTML = body;  // rendered and escaped by the server
  results.removeAttribute("aria-busy");
  if (push) history.pushState({}, "", url);
  document.title = `${query} – Precedent`;
  remember(query, url.replace(window.location.origin, ""));
  enhanceResults(results);
  const focused = focusId && document.getElementById(focusId);
  if (focused) focused.focus();
  const count = document.getElementById("count");
  if (count) announce(count.textContent.trim());
}

function enhanceForm() {
  const form = document.getElementById("search");
  if (!form || !document.getElementById("results")) return;
  const filters = form.querySelector("details.filters");
  if (filters && window.matchMedia("(max-width: 48rem)").matches) filters.open = false;  // results first on a phone
  form.addEventListener("change", (event) => {
    if (event.target.id === "q") return;
    if (event.target.matches("input[pattern]") && !event.target.reportValidity()) return;
    const query = form.elements.q.value.trim();
    if (query === "") {  // the results shown are for words no longer in the box
      announce("Type words to search for first");
      form.elements.q.focus();
      return;
    }
    refresh(searchUrl(form), event.target.id, true, query);
  });
  window.addEventListener("popstate", () => window.location.reload());
}

// A document opened from a search: n and p move between the matching paragraphs, from the
// paragraph in the address (a match or not), or from the top.
function moveBetweenHits(step) {
  const hits = [...document.querySelectorAll(".para.hit")];
  if (hits.length === 0) return;
  const here = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  let next;
  if (here && hits.includes(here)) {
    next = hits[(hits.indexOf(here) + step + hits.length) % hits.length];
  } else if (step > 0) {
    next = hits.find((hit) => !here || here.compareDocumentPosition(hit) & Node.DOCUMENT_POSITION_FOLLOWING) || hits[0];
  } else {
    next = hits.findLast((hit) => here && here.compareDocumentPosition(hit) & Node.DOCUMENT_POSITION_PRECEDING)
      || hits[hits.length - 1];
  }
  window.location.replace(`#${next.id}`);  // moves :target, so only this paragraph is marked current
  next.focus();
  next.scrollIntoView({ block: "center" });
}

document.addEventListener("DOMContentLoaded", () => {
  const query = new URLSearchParams(window.location.search).get("q");
  if (query && document.getElementById("results")) remember(query, window.location.pathname + window.location.search);
  showRecent();
  enhanceResults(document);
  enhanceForm();
});
