import { test } from "node:test";
import assert from "node:assert/strict";
import { normalize, pageHTML, actionable, escapeHTML, newInitiativeURL, itemURL, problemText, goalText } from "../src/view.js";

const answer = {
  alignments: [
    {
      org: { slug: "fabrikam", name: "Fabrikam" },
      chain: [
        { type: "initiative", id: 7, title: "Ship <one-page> checkout", progress: 0.4, status: "on_track", can_edit: true, current: 40 },
        { type: "key_result", id: 3, title: "Checkout conversion", progress: 55, status: "behind" },
        { type: "objective", id: 1, title: "Delight shoppers", progress: 0.5, status: "behind" },
      ],
    },
  ],
};

test("normalize keeps the chain in order and reads percentages", () => {
  const [c] = normalize(answer);
  assert.equal(c.org, "fabrikam");
  assert.deepEqual(c.items.map((i) => i.type), ["initiative", "key_result", "objective"]);
  assert.equal(c.items[1].progress, 0.55);
});

test("normalize drops entries that are not items", () => {
  assert.deepEqual(normalize({ alignments: [{ chain: [{ type: "bogus", id: 1 }] }] }), []);
  assert.deepEqual(normalize(null), []);
});

test("an aligned item shows its chain with escaped titles and actions when linked", () => {
  const html = pageHTML({ phase: "ready", base: "https://cairn.example", linked: true, user: { name: "Ada" }, chains: normalize(answer), workItem: { id: 42 } });
  assert.match(html, /Ship &lt;one-page&gt; checkout/);
  assert.match(html, /counts towards/);
  assert.match(html, /data-action="check-in"/);
  assert.doesNotMatch(html, /Link your Cairn account/);
});

test("an unlinked user sees alignment read-only", () => {
  const html = pageHTML({ phase: "ready", base: "https://cairn.example", linked: false, chains: normalize(answer), workItem: { id: 42 } });
  assert.match(html, /Link your Cairn account/);
  assert.doesNotMatch(html, /data-action="check-in"/);
});

test("an unaligned item offers the initiative wizard for this work item", () => {
  const wi = { id: 42, orgUrl: "https://dev.azure.com/fabrikam", project: "Fabrikam Fiber", title: "Pay by card" };
  const html = pageHTML({ phase: "ready", base: "https://cairn.example/", linked: true, chains: [], workItem: wi });
  assert.match(html, /Add an initiative in Cairn/);
  const u = new URL(newInitiativeURL("https://cairn.example/", wi));
  assert.equal(u.pathname, "/azure-devops/initiatives/new");
  assert.equal(u.searchParams.get("work-item"), "42");
  assert.equal(u.searchParams.get("org-url"), "https://dev.azure.com/fabrikam");
  const sent = new URL(newInitiativeURL("https://cairn.example", wi, "/azure-devops/initiatives/new?work-item=42"));
  assert.equal(sent.origin + sent.pathname, "https://cairn.example/azure-devops/initiatives/new");
  assert.equal(sent.searchParams.get("title"), "Pay by card");
});

test("actionable picks the nearest editable key result or initiative", () => {
  const [c] = normalize(answer);
  assert.equal(actionable(c).id, 7);
  c.items[0].canEdit = false;
  assert.equal(actionable(c), null);
});

test("item links go to Cairn", () => {
  assert.equal(itemURL("https://c.example/", "fab", { type: "key_result", id: 3 }), "https://c.example/o/fab/okrs/key-results/3");
  assert.equal(itemURL("https://c.example", "fab", { type: "key_result", id: 3, url: "/x/3" }), "https://c.example/x/3");
});

test("escapeHTML escapes quotes and brackets", () => {
  assert.equal(escapeHTML(`<a href="x">'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&lt;/a&gt;");
});

test("a refused token says what to check", () => {
  const p = problemText(401, { detail: "the app token signature is invalid" });
  assert.match(p.detail, /CAIRN_AZDO_EXTENSION_SECRET/);
});

test("an item aligned to two parents gives one chain per parent, each with its weight", () => {
  const kr = { type: "key_result", id: 3, title: "Shared", progress: 0.4, status: "on_track" };
  const chains = normalize({
    alignments: [
      {
        org: { slug: "fabrikam", name: "Fabrikam" },
        chain: [{ ...kr, weight: 0.7 }, { type: "objective", id: 1, title: "North", progress: 0.5 }],
        chains: [
          [{ ...kr, weight: 0.7 }, { type: "objective", id: 1, title: "North", progress: 0.5 }],
          [{ ...kr, weight: 0 }, { type: "objective", id: 2, title: "South", progress: 0.2 }],
        ],
      },
    ],
  });
  assert.equal(chains.length, 2);
  assert.deepEqual(chains.map((c) => c.items[1].title), ["North", "South"]);
  const html = pageHTML({ phase: "ready", base: "https://cairn.example", linked: false, chains, workItem: { id: 42 } });
  assert.match(html, /counts towards <span class="weight"[^>]*>\(70 %\)/);
  assert.match(html, /\(not counted\)/);
  assert.match(html, /counts towards 1 item in Cairn, through 2 chains of alignment/);
});

test("a key result's goal and pending baseline show in its row", () => {
  const goals = {
    alignments: [
      {
        org: { slug: "fabrikam", name: "Fabrikam" },
        chain: [
          { type: "key_result", id: 4, title: "p95 latency", progress: 0.9, status: "at_risk", goal: "stay_below", target: 300, unit: "ms", current: 320 },
          { type: "key_result", id: 5, title: "Checkout time", progress: 0, status: "not_started", goal: "decrease", target: 800, unit: "ms", baseline_pending: true },
          { type: "objective", id: 1, title: "Be fast", progress: 0.45, status: "behind" },
        ],
      },
    ],
  };
  const [c] = normalize(goals);
  assert.equal(goalText(c.items[0]), "Goal: stay at or below 300 ms");
  assert.equal(goalText(c.items[1]), "Goal: decrease to 800 ms; baseline still to be measured");
  assert.equal(goalText(c.items[2]), "");
  const html = pageHTML({ phase: "ready", base: "https://cairn.example", linked: false, chains: [c], workItem: { id: 42 } });
  assert.match(html, /title="Goal: stay at or below 300 ms"/);
  assert.match(html, /title="Baseline pending: no progress until the first check-in">–</);
  assert.match(html, /status-at_risk">At risk/);
  assert.match(html, />90&nbsp;%</);
});
