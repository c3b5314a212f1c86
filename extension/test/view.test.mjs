import { test } from "node:test";
import assert from "node:assert/strict";
import {
  normalize, pageHTML, actionable, escapeHTML, newInitiativeURL, itemURL, problemText, goalText, trendText, milestoneText, holdingText,
  commentsHTML, memberNames, itemKey, commentPath, membersPath, checkInFormHTML, checkInBody, weightText,
} from "../src/view.js";

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

const talk = {
  alignments: [
    {
      org: { slug: "fabrikam", name: "Fabrikam" },
      chains: [
        [
          {
            type: "key_result", id: 3, title: "Checkout conversion", progress: 0.3, status: "behind", can_edit: true, goal: "increase", target: 60, unit: "%", current: 18,
            trend: { direction: "up", effect: "better", points: 3 }, confidence: 7, expected_progress: 0.387,
            milestones: [{ date: "2026-08-31", value: 40 }, { date: "2026-07-31", value: 20 }],
            weight: 0.7,
          },
          { type: "objective", id: 1, title: "North", progress: 0.5, status: "behind" },
        ],
        [
          { type: "key_result", id: 3, title: "Checkout conversion", progress: 0.3, status: "behind", can_edit: true, weight: 0 },
          { type: "objective", id: 2, title: "South", progress: 0.2, status: "at_risk" },
        ],
      ],
    },
  ],
};

test("a key result's trend, confidence and next milestone show under its row", () => {
  const chains = normalize(talk);
  const kr = chains[0].items[0];
  assert.deepEqual(kr.trend, { direction: "up", effect: "better", points: 3 });
  assert.equal(kr.confidence, 7);
  assert.deepEqual(kr.milestones.map((m) => m.date), ["2026-07-31", "2026-08-31"], "milestones in date order");
  assert.equal(trendText(kr.trend), "Trend over the last 3 check-ins: up, better for the goal");
  assert.equal(milestoneText(kr, "2026-08-15"), "Next milestone: 40 % by 2026-08-31 · expected now 39 %");
  assert.equal(milestoneText(kr, "2026-07-31"), "Next milestone: 20 % by 2026-07-31 · expected now 39 %");
  assert.equal(milestoneText(kr, "2026-09-01"), "All 2 milestones are past · expected now 39 %");
  const html = pageHTML({ phase: "ready", base: "https://cairn.example", linked: false, chains, workItem: { id: 42 }, today: "2026-08-15" });
  assert.match(html, /class="trend trend-better"[^>]*><span aria-hidden="true">↑<\/span> Trend over the last 3 check-ins: up, better for the goal/);
  assert.match(html, /<span class="confidence">Confidence 7\/10<\/span>/);
  assert.match(html, /Next milestone: 40 % by 2026-08-31 · expected now 39 %/);
  assert.match(html, /\(70 %\)[\s\S]*North[\s\S]*\(not counted\)[\s\S]*South/, "each parent with its weight");
  const worse = normalize({ alignments: [{ org: { slug: "f" }, chain: [{ type: "initiative", id: 9, title: "I", trend: { direction: "down", effect: "worse", points: 2 } }] }] });
  assert.match(pageHTML({ phase: "ready", base: "https://cairn.example", chains: worse, workItem: { id: 1 } }), /trend-worse[^>]*>.*↓.*last 2 check-ins: down, worse for the goal/);
});

test("a pending baseline and a control goal's holding show in words, not only in tooltips", () => {
  const chains = normalize({
    alignments: [
      {
        org: { slug: "fabrikam", name: "Fabrikam" },
        chain: [
          { type: "key_result", id: 4, title: "p95 latency", progress: 0.9, status: "at_risk", goal: "stay_below", target: 300, unit: "ms", current: 320 },
          { type: "key_result", id: 5, title: "Checkout time", progress: 0, status: "not_started", goal: "decrease", target: 800, unit: "ms", baseline_pending: true },
          { type: "key_result", id: 6, title: "Availability", progress: 1, status: "on_track", goal: "stay_above", target: 99.5, unit: "%", current: 99.9 },
        ],
      },
    ],
  });
  const html = pageHTML({ phase: "ready", base: "https://cairn.example", chains, workItem: { id: 42 }, today: "2026-08-15" });
  assert.match(html, /<span class="holding breaks">Not holding: 320 ms is above 300 ms<\/span>/);
  assert.match(html, /<span class="holding holds">Holding: 99.9 % is at or above 99.5 %<\/span>/);
  assert.match(html, /<span class="badge pending">Baseline pending<\/span> <span class="goal">Goal: decrease to 800 ms<\/span>/);
  assert.equal(holdingText(chains[0].items[1]), "", "no holding while the baseline is pending");
});

test("a linked user sees the item's comments with authors and mentions, and comments through the comments API", () => {
  const chains = normalize(talk);
  const item = actionable(chains[0]);
  const members = memberNames({ items: [{ user_id: 2, name: "Ada Lovelace" }, { user_id: 3, name: "", email: "grace@example.com" }] });
  assert.deepEqual(members, { 2: "Ada Lovelace", 3: "grace@example.com" });
  const comments = [1, 2, 3, 4].map((n) => ({ id: n, author_id: n % 2 ? 3 : 2, body: `Note ${n} for @Ada`, created_at: `2026-08-1${n}T10:00:00Z` }));
  const conversation = { [itemKey("fabrikam", item)]: { comments, members } };
  const html = pageHTML({ phase: "ready", base: "https://cairn.example", linked: true, user: { name: "Ada" }, chains, workItem: { id: 42 }, conversation, today: "2026-08-15" });
  assert.match(html, /4 comments <span class="hint">\(the latest 3 shown\)/);
  assert.doesNotMatch(html, /Note 1 for/);
  assert.match(html, /<span class="author">Ada Lovelace<\/span> <span class="when">2026-08-14<\/span><p>Note 4 for <span class="mention">@Ada<\/span><\/p>/);
  assert.match(html, /<span class="author">grace@example.com<\/span>/);
  assert.match(commentsHTML([], members), /No comments yet/);
  assert.equal(commentPath("fabrikam", item), "api/v1/orgs/fabrikam/key-results/3/comments");
  assert.equal(membersPath("fab rikam"), "api/v1/orgs/fab%20rikam/members");
  assert.match(checkInFormHTML(item, "comment"), /mention people with @name/);
  // Read-only users see no comments, even when some were loaded.
  assert.doesNotMatch(pageHTML({ phase: "ready", base: "https://cairn.example", linked: false, chains, workItem: { id: 42 }, conversation }), /Note 4/);
});

test("a key result's check-in carries a confidence from 1 to 10, an initiative's none", () => {
  const [c] = normalize(talk);
  const kr = c.items[0];
  const form = checkInFormHTML(kr, "check-in");
  assert.match(form, /<select name="confidence"><option value="">Not given<\/option><option value="1">1<\/option>/);
  assert.match(form, /<option value="10">10<\/option><\/select>/);
  assert.deepEqual(checkInBody(kr, new Map([["value", "42"], ["status", ""], ["note", "n"], ["confidence", "8"]])), { value: 42, status: "", note: "n", confidence: 8 });
  assert.deepEqual(checkInBody(kr, new Map([["value", "42"], ["confidence", ""]])), { value: 42, status: "", note: "" });
  const ini = { type: "initiative", id: 7, title: "I", unit: "" };
  assert.doesNotMatch(checkInFormHTML(ini, "check-in"), /confidence/);
  assert.deepEqual(checkInBody(ini, new Map([["value", "5"], ["confidence", "8"]])), { value: 5, status: "", note: "" });
});

test("the first check-in of a pending baseline asks for the baseline", () => {
  const [c] = normalize({ alignments: [{ org: { slug: "f" }, chain: [{ type: "key_result", id: 5, title: "Checkout time", goal: "decrease", target: 800, unit: "ms", baseline_pending: true, can_edit: true }] }] });
  const form = checkInFormHTML(c.items[0], "check-in");
  assert.match(form, /<label>Baseline \(the start, measured now\) \(ms\)<input name="value"[^>]*value="">/);
  assert.doesNotMatch(checkInFormHTML({ ...c.items[0], baselinePending: false }, "check-in"), /Baseline/);
});

test("an item of a closed period reads Closed, frozen, with no check-in unless Cairn allows it", () => {
  const closedAnswer = {
    alignments: [
      {
        org: { slug: "fabrikam", name: "Fabrikam" },
        chain: [
          { type: "key_result", id: 3, title: "Checkout conversion", progress: 0.4, status: "behind", closed: true, period: "Q3 2026", can_edit: false, current: 40 },
          { type: "objective", id: 1, title: "Delight shoppers", progress: 0.4, status: "behind", closed: true, period: "Q3 2026" },
        ],
      },
    ],
  };
  const chains = normalize(closedAnswer);
  const html = pageHTML({ phase: "ready", base: "https://cairn.example", linked: true, user: { name: "Ada" }, chains, workItem: { id: 42 } });
  assert.equal((html.match(/status-closed">Closed/g) ?? []).length, 2);
  assert.doesNotMatch(html, /status-behind/);
  assert.match(html, /<span class="badge closed">Q3 2026 is closed: values are frozen<\/span>/);
  assert.doesNotMatch(html, /data-action="check-in"/);
  const open = normalize({ alignments: [{ org: { slug: "f" }, chain: [{ type: "key_result", id: 3, title: "K", status: "behind", can_edit: true }] }] });
  assert.doesNotMatch(pageHTML({ phase: "ready", base: "https://cairn.example", linked: true, chains: open, workItem: { id: 1 } }), /closed/);
});

test("weights show as percentages of 1, larger ones as themselves", () => {
  assert.equal(weightText(0.7), "70 %");
  assert.equal(weightText(1), "100 %");
  assert.equal(weightText(0), "not counted");
  assert.equal(weightText(70), "weight 70");
  assert.equal(weightText(null), "");
  const chains = normalize({ alignments: [{ org: { slug: "f" }, chains: [
    [{ type: "key_result", id: 3, title: "K", weight: 70 }, { type: "objective", id: 1, title: "North" }],
    [{ type: "key_result", id: 3, title: "K", weight: 30 }, { type: "objective", id: 2, title: "South" }],
  ] }] });
  const html = pageHTML({ phase: "ready", base: "https://cairn.example", chains, workItem: { id: 1 } });
  assert.match(html, /\(weight 70\)[\s\S]*North[\s\S]*\(weight 30\)[\s\S]*South/);
});
