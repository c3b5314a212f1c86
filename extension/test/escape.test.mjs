// What a work item's title, a Cairn title or name, or a URL in Cairn's answer can do to
// the extension's page: nothing but show as text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import {
  normalize, pageHTML, chainHTML, checkInFormHTML, checkInPath, linkBoxHTML, itemURL, newInitiativeURL, cairnURL, httpURL, commentsHTML, commentPath,
  membersPath,
} from "../src/view.js";

const PAYLOADS = [`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `'><svg onload=alert(1)>`, "{{.}}", "javascript:alert(1)"];
const ALL = PAYLOADS.join(" ");
const BASE = "https://cairn.example";
const BAD_URLS = ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "https://evil.example/x", "//evil.example/x", "/\\evil.example/x", "vbscript:x", "o/x"];

// The elements and attributes view.js writes; a payload that adds any other fails.
const TAGS = new Set(["div", "p", "h2", "button", "strong", "span", "a", "section", "ol", "li", "label", "input", "select", "option", "textarea", "form"]);
const ATTR = /^(class|href|target|rel|title|role|style|type|name|step|required|value|rows|data-[a-z-]+|aria-[a-z]+)$/;

function decode(s) {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, "\u00a0")
    .replace(/&amp;/g, "&");
}

// elements reads the HTML as a browser would: every "<" followed by a letter opens a tag
// whose attributes are name="value" pairs; escaped text holds no "<" and no quote.
function elements(html) {
  const out = [];
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)) {
    const attrs = {};
    let rest = m[2];
    for (const a of rest.matchAll(/\s+([^\s=/>]+)(?:="([^"]*)")?/g)) attrs[a[1].toLowerCase()] = decode(a[2] ?? "");
    rest = rest.replace(/\s+([^\s=/>]+)(?:="([^"]*)")?/g, "").trim();
    out.push({ tag: m[1].toLowerCase(), attrs, leftover: rest });
  }
  return out;
}

function text(html) {
  return decode(html.replace(/<[^>]*>/g, ""));
}

// assertInert fails unless the HTML holds only view.js's own elements and attributes, and
// links only to Cairn over http(s).
function assertInert(html, what) {
  for (const raw of ["<script", "<img", "<svg"]) {
    assert.ok(!html.includes(raw), `${what}: ${raw} unescaped in ${html}`);
  }
  for (const el of elements(html)) {
    assert.ok(TAGS.has(el.tag), `${what}: a <${el.tag}> element`);
    assert.equal(el.leftover, "", `${what}: <${el.tag}> has stray markup ${el.leftover}`);
    for (const [name, value] of Object.entries(el.attrs)) {
      assert.match(name, ATTR, `${what}: <${el.tag}> has the attribute ${name}`);
      if (name === "href") assert.ok(value.startsWith(BASE + "/"), `${what}: a link to ${value}`);
    }
  }
}

function answer(title, extra = {}) {
  return {
    alignments: [
      {
        org: { slug: title, name: title },
        chain: [
          { type: "initiative", id: 7, title, progress: 0.4, status: title, can_edit: true, current: title, unit: title, url: extra.url ?? "/o/fabrikam/okrs/initiatives/7" },
          { type: "key_result", id: title, title, progress: 55, status: "behind", url: extra.url },
          { type: "objective", id: 1, title, progress: "x", status: "on_track" },
        ],
      },
    ],
  };
}

for (const p of [...PAYLOADS, ALL]) {
  test(`the payload ${p} shows as text everywhere`, () => {
    const chains = normalize(answer(p));
    assert.equal(chains.length, 1);
    for (const linked of [true, false]) {
      const html = pageHTML({ phase: "ready", base: BASE, linked, user: { name: p }, chains, workItem: { id: 42, title: p, project: p, orgUrl: p } });
      assertInert(html, `ready page (linked ${linked})`);
      assert.ok(text(html).includes(p), `the ready page does not show ${p}`);
    }
    const empty = pageHTML({ phase: "ready", base: BASE, linked: true, user: { name: p }, chains: [], workItem: { id: 42, title: p, project: p, orgUrl: p }, addUrl: p });
    assertInert(empty, "unaligned page");
    assert.ok(text(empty).includes(p));
    const error = pageHTML({ phase: "error", title: p, detail: p });
    assertInert(error, "error page");
    assert.equal(text(error).split(p).length, 3);
    for (const kind of ["check-in", "comment"]) {
      const form = checkInFormHTML(chains[0].items[0], kind);
      assertInert(form, `${kind} form`);
    }
    assert.ok(elements(checkInFormHTML(chains[0].items[0], "check-in")).some((e) => e.tag === "input" && e.attrs.value === p));
    const box = linkBoxHTML(BASE, p, p);
    assertInert(box, "link box");
    assert.ok(text(box).includes(p));
    const path = checkInPath(p, { type: "key_result", id: p });
    assert.equal(path.split("/").length, 7, `the org and id stay one segment each: ${path}`);
    assert.ok(!/[<>"\s]/.test(path), path);
  });
}

test("an item type that names a property of every object is no type", () => {
  for (const type of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    assert.deepEqual(normalize({ alignments: [{ chain: [{ type, id: 1, title: "x" }] }] }), []);
  }
  const chain = { org: "o", items: [{ type: "initiative", id: 1, title: "t", progress: 0, status: "constructor", url: "" }] };
  assertInert(chainHTML(BASE, chain, 0, false), "status named constructor");
  assert.ok(!chainHTML(BASE, chain, 0, false).includes("native code"));
});

test("links lead only to Cairn, whatever URL Cairn's answer carries", () => {
  for (const bad of BAD_URLS) {
    assert.equal(cairnURL(BASE, bad), "", `cairnURL accepted ${bad}`);
    const u = itemURL(BASE, "fab", { type: "key_result", id: 3, url: bad });
    assert.equal(u, "https://cairn.example/o/fab/okrs/key-results/3", `itemURL with ${bad}`);
    const wi = { id: 42, orgUrl: "https://dev.azure.com/fabrikam", project: "Fabrikam Fiber", title: "Pay" };
    assert.ok(newInitiativeURL(BASE, wi, bad).startsWith(BASE + "/azure-devops/initiatives/new?"), `newInitiativeURL with ${bad}`);
    const html = pageHTML({ phase: "ready", base: BASE, linked: true, chains: normalize(answer("t", { url: bad })), workItem: wi });
    assertInert(html, `item url ${bad}`);
    assertInert(pageHTML({ phase: "ready", base: BASE, linked: true, chains: [], workItem: wi, addUrl: bad }), `add url ${bad}`);
    assertInert(linkBoxHTML(BASE, "ABCD-EFGH", bad), `confirm path ${bad}`);
  }
  assert.equal(cairnURL(BASE, "/o/fab/okrs/objectives/1"), "https://cairn.example/o/fab/okrs/objectives/1");
  assert.equal(cairnURL(BASE + "/cairn", "https://cairn.example/azure-devops/link?code=A"), "https://cairn.example/azure-devops/link?code=A");
  assert.equal(cairnURL("javascript:alert(1)", "/o/x"), "", "a base that is not http(s) gives no link");
  assert.equal(httpURL("javascript:alert(1)"), "");
  assert.equal(itemURL(BASE, "<o>", { type: "objective", id: "1/../x" }), "https://cairn.example/o/%3Co%3E/okrs/objectives/1%2F..%2Fx");
});

test("a base URL that is not http(s) makes no link at all", () => {
  const html = pageHTML({ phase: "ready", base: "javascript:alert(1)//", linked: true, chains: normalize(answer("t")), workItem: { id: 1 } });
  assert.ok(!/href=/.test(html), html);
  assert.ok(!/href=/.test(pageHTML({ phase: "ready", base: "javascript:alert(1)//", linked: true, chains: [], workItem: { id: 1 } })));
});

test("page.js sets HTML only from view.js, which escapes it", async () => {
  const src = await readFile(new URL("../src/page.js", import.meta.url), "utf8");
  const sets = [...src.matchAll(/\.(innerHTML|outerHTML)\s*=\s*([^;]+);/g)];
  assert.ok(sets.length >= 2);
  for (const [, , rhs] of sets) assert.match(rhs.trim(), /^(pageHTML|checkInFormHTML|linkBoxHTML)\(/, `innerHTML = ${rhs}`);
  assert.ok(!/insertAdjacentHTML|document\.write|\beval\(|new Function/.test(src));
});

for (const p of [...PAYLOADS, ALL]) {
  test(`the payload ${p} in comments, names, units and trends shows as text`, () => {
    const chains = normalize({
      alignments: [
        {
          org: { slug: p, name: p },
          chain: [
            {
              type: "key_result", id: 3, title: p, progress: 0.3, status: p, can_edit: true, goal: "stay_below", target: 5, current: 7, unit: p,
              trend: { direction: p, effect: p, points: p }, confidence: p, expected_progress: p, milestones: [{ date: p, value: 1 }, { date: "2026-08-31", value: p }],
            },
            { type: "initiative", id: 4, title: p, trend: { direction: "up", effect: p, points: 2 }, confidence: 4, unit: p, goal: "stay_above", target: 9, current: 1 },
          ],
        },
      ],
    });
    const item = chains[0].items[0];
    assert.equal(item.trend, null, "an unknown direction is no trend");
    assert.equal(item.confidence, null);
    assert.deepEqual(item.milestones, [], "milestones without a date or a value are dropped");
    const members = { 2: p };
    const comments = [{ id: 1, author_id: 2, body: `${p} @${p}`, created_at: p }, { id: 2, author_id: "constructor", body: p, created_at: "2026-08-01" }];
    const conversation = { [`${p}/key_result/3`]: { comments, members } };
    const html = pageHTML({ phase: "ready", base: BASE, linked: true, user: { name: p }, chains, workItem: { id: 42 }, conversation, today: p });
    assertInert(html, "page with comments");
    assert.ok(text(html).includes(`${p} @`), `the comment body does not show ${p}`);
    assert.ok(!html.includes("native code"), "an author id that names a property of every object");
    assertInert(commentsHTML(comments, members), "comments");
    assertInert(checkInFormHTML(item, "check-in"), "check-in form with confidence");
    for (const path of [commentPath(p, { type: "key_result", id: p }), membersPath(p)]) {
      assert.ok(!/[<>"\s]/.test(path), path);
    }
  });
}
