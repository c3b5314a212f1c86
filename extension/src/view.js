// Pure functions that turn Cairn's answers into the page's HTML. They touch no DOM and no
// network, so that node's test runner can check them.
//
// Every value placed in the HTML goes through escapeHTML, constants included, and every
// link through cairnURL, so that nothing Cairn or Azure DevOps sends (titles, names,
// notes, URLs) can add an element, an attribute or a script. The extension links only to
// Cairn: to the address entered under Project settings → Cairn.

const TYPE_LABEL = { objective: "Objective", key_result: "Key result", initiative: "Initiative" };
const TYPE_GLYPH = { objective: "O", key_result: "KR", initiative: "I" };
const TYPE_PATH = { objective: "objectives", key_result: "key-results", initiative: "initiatives" };
const STATUS_LABEL = {
  not_started: "Not started",
  on_track: "On track",
  behind: "Behind",
  at_risk: "At risk",
  closed: "Closed",
};

/** label looks a key up in a table of labels, never in the table's prototype. */
function label(table, key) {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** escapeHTML makes text safe to place in HTML text and attribute values. */
export function escapeHTML(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** joinURL appends a path to Cairn's base URL. */
export function joinURL(base, path) {
  return String(base).replace(/\/+$/, "") + "/" + String(path).replace(/^\/+/, "");
}

/**
 * httpURL returns u when it is an absolute http(s) URL, and "" otherwise, so that no
 * javascript: or data: address becomes a link.
 */
export function httpURL(u) {
  try {
    const x = new URL(String(u ?? ""));
    return x.protocol === "https:" || x.protocol === "http:" ? x.toString() : "";
  } catch {
    return "";
  }
}

/**
 * cairnURL resolves a URL that Cairn sent against Cairn's base URL: a path such as
 * /o/fabrikam/okrs/… joins the base, an absolute URL must be on the base's origin, and
 * anything else (another site, javascript:, data:) gives "".
 */
export function cairnURL(base, u) {
  const b = httpURL(base);
  const s = String(u ?? "").trim();
  if (!b || !s) return "";
  if (/^https?:\/\//i.test(s)) {
    const abs = httpURL(s);
    return abs && new URL(abs).origin === new URL(b).origin ? abs : "";
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(s) || !s.startsWith("/") || /^\/[\/\\]/.test(s)) return "";
  return httpURL(joinURL(b, s));
}

/** itemURL is the Cairn page of an item: the URL Cairn sent, else the UI's item route. */
export function itemURL(base, org, item) {
  return (
    cairnURL(base, item.url) ||
    httpURL(joinURL(base, `o/${encodeURIComponent(org)}/okrs/${label(TYPE_PATH, item.type) ?? "objectives"}/${encodeURIComponent(item.id)}`))
  );
}

/**
 * newInitiativeURL opens Cairn's initiative wizard, pre-filled with the work item: the
 * add_url Cairn sent, else Cairn's route for it; the title is added when known.
 */
export function newInitiativeURL(base, wi, addUrl) {
  const sent = cairnURL(base, addUrl);
  if (sent) {
    const u = new URL(sent);
    if (wi.title && !u.searchParams.has("title")) u.searchParams.set("title", wi.title);
    return u.toString();
  }
  const q = new URLSearchParams({ "org-url": wi.orgUrl ?? "", project: wi.project ?? "", "work-item": String(wi.id) });
  if (wi.title) q.set("title", wi.title);
  return httpURL(joinURL(base, "azure-devops/initiatives/new") + "?" + q.toString());
}

function list(v) {
  if (Array.isArray(v)) return v;
  if (v && typeof v === "object") {
    for (const k of ["alignments", "items", "value", "chain", "path"]) if (Array.isArray(v[k])) return v[k];
  }
  return [];
}

function ref(x) {
  if (!x || typeof x !== "object") return null;
  const type = x.type ?? x.item_type ?? x.kind;
  if (!label(TYPE_LABEL, type) || x.id == null) return null;
  let progress = Number(x.progress);
  if (!Number.isFinite(progress)) progress = 0;
  if (progress > 1.0001 && progress <= 100) progress /= 100; // a percentage
  return {
    type,
    id: x.id,
    title: String(x.title ?? `${TYPE_LABEL[type]} ${x.id}`),
    progress: Math.max(0, Math.min(1, progress)),
    status: String(x.status ?? ""),
    current: x.current ?? x.metric?.current ?? null,
    unit: x.unit ?? x.metric?.unit ?? "",
    goal: String(x.goal ?? x.metric?.goal ?? ""),
    target: x.target ?? x.metric?.target ?? null,
    baselinePending: Boolean(x.baseline_pending ?? x.metric?.baseline_pending ?? false),
    url: x.url ?? x.web_url ?? "",
    canEdit: Boolean(x.can_edit ?? x.canEdit ?? false),
    weight: Number.isFinite(Number(x.weight)) && x.weight !== null && x.weight !== undefined ? Number(x.weight) : null,
    closed: x.closed === true,
    period: String(x.period ?? ""),
    trend: trendOf(x.trend),
    expected: finiteOrNull(x.expected_progress),
    milestones: milestonesOf(x.milestones ?? x.metric?.milestones),
    confidence: confidenceOf(x.confidence),
  };
}

function finiteOrNull(v) {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

const DIRECTIONS = { up: "up", down: "down", flat: "flat" };
const EFFECTS = { better: "better", worse: "worse", neutral: "neutral" };

/** trendOf reads a trend {direction, effect, points}, or null when there is none. */
function trendOf(t) {
  if (!t || typeof t !== "object") return null;
  const direction = label(DIRECTIONS, t.direction);
  if (!direction) return null;
  const effect = label(EFFECTS, t.effect) ?? (direction === "flat" ? "neutral" : "");
  const points = Number.isInteger(t.points) ? t.points : 0;
  return { direction, effect, points };
}

/** milestonesOf reads dated milestones, in date order, dropping any without a date or value. */
function milestonesOf(ms) {
  if (!Array.isArray(ms)) return [];
  return ms
    .filter((m) => m && /^\d{4}-\d{2}-\d{2}$/.test(String(m.date ?? "")) && finiteOrNull(m.value) !== null)
    .map((m) => ({ date: String(m.date), value: Number(m.value) }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

function confidenceOf(c) {
  const n = Number(c);
  return c !== null && c !== undefined && Number.isInteger(n) && n >= 1 && n <= 10 ? n : null;
}

/**
 * normalize turns the alignment answer into a list of chains. Each chain starts at the
 * initiative or key result that the work item counts towards and goes up through the
 * objectives: { org, orgName, items: [nearest, …, top objective] }. An item aligned to
 * several parents gives one chain per path up (the answer's "chains"); each item carries
 * the weight with which it counts towards the next.
 */
export function normalize(answer) {
  const out = [];
  for (const a of list(answer)) {
    const org = a.org?.slug ?? a.org_slug ?? a.org ?? "";
    const orgName = a.org?.name ?? a.org_name ?? org;
    let chains = [];
    if (Array.isArray(a.chains) && a.chains.length > 0) {
      chains = a.chains.filter(Array.isArray);
    } else if (Array.isArray(a.chain) || Array.isArray(a.path)) {
      chains = [a.chain ?? a.path];
    } else {
      chains = [[a.target ?? a.item, ...(a.parents ?? a.ancestors ?? [])]];
    }
    for (const c of chains) {
      const chain = c.map(ref).filter(Boolean);
      if (chain.length > 0) out.push({ org: String(org), orgName: String(orgName), items: chain });
    }
  }
  return out;
}

/**
 * weightText says how an item counts towards the next one of its chain: "70 %" for weight
 * 0.7 (weight 1 is 100 %), "weight 70" for a weight above 1 (weights are relative: 70
 * beside 30 is 70:30), "not counted" for weight 0, "" when the answer gave none.
 */
export function weightText(w) {
  if (w === null || w === undefined || !Number.isFinite(w)) return "";
  if (w === 0) return "not counted";
  if (w > 1) return `weight ${Math.round(w * 100) / 100}`;
  return `${Math.round(w * 10000) / 100} %`;
}

/** actionable is the nearest key result or initiative of a chain that the user may edit. */
export function actionable(chain) {
  return chain.items.find((i) => i.canEdit && (i.type === "key_result" || i.type === "initiative")) ?? null;
}

function statusLabel(s) {
  if (!s) return "";
  return `<span class="status status-${escapeHTML(s)}">${escapeHTML(label(STATUS_LABEL, s) ?? s)}</span>`;
}

/** link renders an anchor that opens a Cairn page in a new tab, or the text alone without one. */
function link(href, cls, text) {
  const h = httpURL(href);
  if (!h) return `<span class="${escapeHTML(cls)}">${escapeHTML(text)}</span>`;
  return `<a class="${escapeHTML(cls)}" href="${escapeHTML(h)}" target="_blank" rel="noopener noreferrer">${escapeHTML(text)}</a>`;
}

/**
 * goalText says a metric's goal when it is not the plain increase: "Goal: stay at or below
 * 300 ms", "Goal: decrease to 800 ms", with "; baseline still to be measured" while the
 * start is pending. It is "" for an increase with its start known, and for objectives.
 */
export function goalText(item) {
  const target = Number(item.target);
  const to = Number.isFinite(target) ? `${target}${item.unit ? " " + item.unit : ""}` : "the target";
  let s = "";
  switch (item.goal) {
    case "stay_below": s = `Goal: stay at or below ${to}`; break;
    case "stay_above": s = `Goal: stay at or above ${to}`; break;
    case "decrease": s = `Goal: decrease to ${to}`; break;
    case "increase": if (item.baselinePending) s = `Goal: increase to ${to}`; break;
  }
  if (item.baselinePending) s += "; baseline still to be measured";
  return s;
}

/** valueText writes a metric value with its unit: "300 ms", "60 %". */
function valueText(v, unit) {
  const n = Number(v);
  if (!Number.isFinite(n)) return "";
  const s = String(Math.round(n * 100) / 100);
  if (!unit) return s;
  return unit === "%" ? `${s} %` : `${s} ${unit}`;
}

/**
 * trendText says a trend in words, as Cairn's UI does: "Trend over the last 3 check-ins:
 * up, better for the goal". It is "" without a trend.
 */
export function trendText(t) {
  if (!t) return "";
  const n = t.points > 0 ? `${t.points} ` : "";
  const effect = t.effect === "better" ? ", better for the goal" : t.effect === "worse" ? ", worse for the goal" : "";
  return `Trend over the last ${n}check-ins: ${t.direction}${effect}`;
}

const TREND_ARROW = { up: "↑", down: "↓", flat: "→" };

/**
 * holdingText says whether a control goal holds its threshold: "Holding: 250 ms is at or
 * below 300 ms", "Not holding: 320 ms is above 300 ms". It is "" for other goals and while
 * the value is unknown.
 */
export function holdingText(item) {
  const cur = Number(item.current);
  const target = Number(item.target);
  if (item.current === null || item.current === undefined || !Number.isFinite(cur) || !Number.isFinite(target)) return "";
  const v = (x) => valueText(x, item.unit);
  if (item.goal === "stay_below") {
    return cur <= target ? `Holding: ${v(cur)} is at or below ${v(target)}` : `Not holding: ${v(cur)} is above ${v(target)}`;
  }
  if (item.goal === "stay_above") {
    return cur >= target ? `Holding: ${v(cur)} is at or above ${v(target)}` : `Not holding: ${v(cur)} is below ${v(target)}`;
  }
  return "";
}

/**
 * nextMilestone is the first milestone due on or after the day today (YYYY-MM-DD), or
 * null when none is left.
 */
export function nextMilestone(item, today) {
  return (item.milestones ?? []).find((m) => m.date >= today) ?? null;
}

/**
 * milestoneText says the next milestone and what progress is expected now: "Next
 * milestone: 60 % by 2026-08-31 · expected now 39 %". It is "" for an item without
 * milestones.
 */
export function milestoneText(item, today) {
  const ms = item.milestones ?? [];
  if (ms.length === 0) return "";
  const next = nextMilestone(item, today);
  const parts = [next ? `Next milestone: ${valueText(next.value, item.unit)} by ${next.date}` : `All ${ms.length} milestones are past`];
  if (item.expected !== null && item.expected !== undefined) parts.push(`expected now ${Math.round(item.expected * 100)} %`);
  return parts.join(" · ");
}

/** detailsHTML renders what a key result or initiative row says under its title. */
function detailsHTML(item, today) {
  const bits = [];
  if (item.closed) bits.push(`<span class="badge closed">${escapeHTML(`${item.period || "The period"} is closed: values are frozen`)}</span>`);
  if (item.baselinePending) bits.push(`<span class="badge pending">${escapeHTML("Baseline pending")}</span>`);
  const goal = goalText(item).replace(/; baseline still to be measured$/, "");
  if (goal) bits.push(`<span class="goal">${escapeHTML(goal)}</span>`);
  const holding = holdingText(item);
  if (holding) bits.push(`<span class="holding ${holding.startsWith("Holding") ? "holds" : "breaks"}">${escapeHTML(holding)}</span>`);
  if (item.trend) {
    bits.push(`<span class="trend trend-${escapeHTML(item.trend.effect || "neutral")}" title="${escapeHTML(trendText(item.trend))}"><span aria-hidden="true">${escapeHTML(label(TREND_ARROW, item.trend.direction))}</span> ${escapeHTML(trendText(item.trend))}</span>`);
  }
  if (item.confidence !== null && item.confidence !== undefined) bits.push(`<span class="confidence">${escapeHTML(`Confidence ${item.confidence}/10`)}</span>`);
  const ms = milestoneText(item, today);
  if (ms) bits.push(`<span class="milestone">${escapeHTML(ms)}</span>`);
  return bits.length ? `<li class="details" data-for="${escapeHTML(item.type)}-${escapeHTML(item.id)}">${bits.join(" ")}</li>` : "";
}

function row(base, org, item, nearest, today) {
  const pct = Math.round(item.progress * 100);
  const goal = goalText(item);
  const shown = item.baselinePending ? escapeHTML("–") : `${escapeHTML(pct)}&nbsp;%`;
  return `<li class="row${nearest ? " nearest" : ""}" data-type="${escapeHTML(item.type)}" data-id="${escapeHTML(item.id)}"${goal ? ` title="${escapeHTML(goal)}"` : ""}>
  <span class="glyph glyph-${escapeHTML(item.type)}" title="${escapeHTML(label(TYPE_LABEL, item.type))}">${escapeHTML(label(TYPE_GLYPH, item.type))}</span>
  ${link(itemURL(base, org, item), "title", item.title)}
  <span class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${escapeHTML(pct)}" aria-label="Progress of ${escapeHTML(item.title)}${goal ? ". " + escapeHTML(goal) : ""}"><span style="width:${escapeHTML(pct)}%"></span></span>
  <span class="pct"${item.baselinePending ? ` title="${escapeHTML("Baseline pending: no progress until the first check-in")}"` : ""}>${shown}</span>
  ${statusLabel(item.closed ? "closed" : item.status)}
</li>${item.type === "objective" ? "" : "\n" + detailsHTML(item, today)}`;
}

/** todayOf is the day of a Date in UTC, YYYY-MM-DD, as milestone dates are written. */
export function todayOf(d) {
  return new Date(d).toISOString().slice(0, 10);
}

/** itemKey names an item of an organization: "fabrikam/key_result/3". */
export function itemKey(org, item) {
  return `${org}/${item.type}/${item.id}`;
}

/**
 * commentsHTML renders the newest comments on an item (at most max), oldest of them first,
 * each with its author's name from members (user_id → name) and its date. Mentions stay
 * in the text as written ("@Ada"), and are marked.
 */
export function commentsHTML(comments, members, max = 3) {
  if (!Array.isArray(comments)) return "";
  const shown = comments.slice(-max);
  const more = comments.length - shown.length;
  const head = `<p class="comments-head">${escapeHTML(comments.length === 0 ? "No comments yet" : comments.length === 1 ? "1 comment" : `${comments.length} comments`)}${more > 0 ? ` <span class="hint">${escapeHTML(`(the latest ${shown.length} shown)`)}</span>` : ""}</p>`;
  const items = shown
    .map((c) => {
      const who = c.author_id != null && members && Object.hasOwn(members, String(c.author_id)) ? members[String(c.author_id)] : "Someone";
      const when = typeof c.created_at === "string" ? c.created_at.slice(0, 10) : "";
      const body = escapeHTML(c.body ?? "").replace(/(^|\s)(@[^\s@,.;:!?()]+)/g, '$1<span class="mention">$2</span>');
      return `<li class="comment"><span class="author">${escapeHTML(who)}</span> <span class="when">${escapeHTML(when)}</span><p>${body}</p></li>`;
    })
    .join("\n");
  return `<div class="comments">${head}${items ? `<ol class="comment-list">${items}</ol>` : ""}</div>`;
}

/**
 * chainHTML renders one chain: the nearest item, then what it counts towards. With a linked
 * user, the chain's actionable item gets Check in and Comment, and its comments when
 * conversation (item key → {comments, members}) holds them.
 */
export function chainHTML(base, chain, index, linked, today, conversation) {
  const [nearest, ...up] = chain.items;
  const act = linked ? actionable(chain) : null;
  const talk = act && conversation && Object.hasOwn(conversation, itemKey(chain.org, act)) ? conversation[itemKey(chain.org, act)] : null;
  const actions = act
    ? `<div class="actions">
  <button type="button" class="btn primary" data-action="check-in" data-chain="${escapeHTML(index)}">Check in</button>
  <button type="button" class="btn" data-action="comment" data-chain="${escapeHTML(index)}">Comment</button>
  <span class="hint">on ${escapeHTML(label(TYPE_LABEL, act.type).toLowerCase())} “${escapeHTML(act.title)}”</span>
</div>
${talk ? commentsHTML(talk.comments, talk.members) : ""}
<div class="form-slot" data-chain="${escapeHTML(index)}"></div>`
    : "";
  const towards = (from) => {
    const w = weightText(from.weight);
    return `<li class="towards">counts towards${w ? ` <span class="weight" title="Weight towards the next item">(${escapeHTML(w)})</span>` : ""}</li>`;
  };
  const day = today ?? todayOf(Date.now());
  const steps = up.map((i, n) => towards(chain.items[n]) + "\n" + row(base, chain.org, i, false, day)).join("\n");
  return `<section class="chain" data-org="${escapeHTML(chain.org)}">
<ol class="rows">
${row(base, chain.org, nearest, true, day)}
${steps}
</ol>
${actions}
</section>`;
}

/** pageHTML renders the whole page for a state. */
export function pageHTML(st) {
  switch (st.phase) {
    case "loading":
      return `<div class="state loading" aria-busy="true"><div class="skeleton"></div><div class="skeleton short"></div><p>Loading alignment from Cairn…</p></div>`;
    case "unconfigured":
      return `<div class="state empty"><h2>Cairn is not connected yet</h2><p>A project administrator enters the address of your Cairn server once, under <strong>Project settings → Cairn</strong>.</p></div>`;
    case "unsaved":
      return `<div class="state empty"><h2>Save the work item first</h2><p>Cairn shows alignment once the work item has an id.</p></div>`;
    case "error":
      return `<div class="state error" role="alert"><h2>${escapeHTML(st.title ?? "Cairn could not be reached")}</h2><p>${escapeHTML(st.detail ?? "")}</p><button type="button" class="btn" data-action="retry">Try again</button></div>`;
    case "ready":
      break;
    default:
      return "";
  }
  const chains = st.chains ?? [];
  const account = st.linked
    ? `<p class="account">Signed in to Cairn as <strong>${escapeHTML(st.user?.name ?? st.user?.email ?? "you")}</strong></p>`
    : `<div class="banner"><span>You see alignment read-only. Link your Cairn account to check in and comment.</span>
<button type="button" class="btn" data-action="link">Link your Cairn account</button></div>
<div class="link-slot"></div>`;
  if (chains.length === 0) {
    return `${account}<div class="state empty unaligned"><h2>Nothing in Cairn counts this work item yet</h2>
<p>Add an initiative for it, and its progress will count towards your key results.</p>
${link(newInitiativeURL(st.base, st.workItem, st.addUrl), "btn primary", "Add an initiative in Cairn")}</div>`;
  }
  // One item aligned to several parents shows one chain per parent: count items, not chains.
  const n = new Set(chains.map((c) => `${c.org}/${c.items[0].type}/${c.items[0].id}`)).size;
  const paths = chains.length > n ? `, through ${escapeHTML(chains.length)} chains of alignment` : "";
  return `${account}<p class="summary">This work item counts towards ${n === 1 ? "1 item" : `${escapeHTML(n)} items`} in Cairn${paths}.</p>
${chains.map((c, i) => chainHTML(st.base, c, i, st.linked, st.today, st.conversation)).join("\n")}`;
}

/**
 * checkInFormHTML renders the inline check-in or comment form for an item. A key result's
 * check-in asks for a confidence from 1 to 10 too; a comment may mention members with @.
 */
export function checkInFormHTML(item, kind) {
  const confidence =
    item.type === "key_result"
      ? `<label>Confidence<select name="confidence"><option value="">Not given</option>${Array.from({ length: 10 }, (_, i) => `<option value="${i + 1}">${i + 1}</option>`).join("")}</select></label>`
      : "";
  const value =
    kind === "check-in"
      ? `<label>${item.baselinePending ? "Baseline (the start, measured now)" : "New value"}${item.unit ? ` (${escapeHTML(item.unit)})` : ""}<input name="value" type="number" step="any" required value="${escapeHTML(item.current ?? "")}"></label>
<label>Status<select name="status"><option value="">Let Cairn decide</option><option value="on_track">On track</option><option value="behind">Behind</option><option value="at_risk">At risk</option><option value="not_started">Not started</option></select></label>
${confidence}`
      : "";
  return `<form class="checkin" data-kind="${escapeHTML(kind)}">
${value}
<label>${kind === "comment" ? "Comment (mention people with @name)" : "Note"}<textarea name="note" rows="3" ${kind === "comment" ? "required" : ""}></textarea></label>
<div class="form-actions"><button type="submit" class="btn primary">${kind === "comment" ? "Post comment" : "Check in"}</button><button type="button" class="btn" data-action="cancel">Cancel</button><span class="form-msg" role="status"></span></div>
</form>`;
}

/**
 * checkInBody is the JSON body of a check-in made with the form's fields (a FormData or a
 * Map): value, status and note, and a confidence when one was chosen on a key result.
 */
export function checkInBody(item, fields) {
  const body = { value: Number(fields.get("value")), status: String(fields.get("status") ?? ""), note: String(fields.get("note") ?? "") };
  const c = String(fields.get("confidence") ?? "");
  if (item.type === "key_result" && c !== "") body.confidence = Number(c);
  return body;
}

/** checkInPath is the API path of an item's check-ins. */
export function checkInPath(org, item) {
  return `api/v1/orgs/${encodeURIComponent(org)}/${label(TYPE_PATH, item.type)}/${encodeURIComponent(item.id)}/check-ins`;
}

/** commentPath is the API path of an item's comments. */
export function commentPath(org, item) {
  return `api/v1/orgs/${encodeURIComponent(org)}/${label(TYPE_PATH, item.type)}/${encodeURIComponent(item.id)}/comments`;
}

/** membersPath is the API path of an organization's members, who write and are mentioned. */
export function membersPath(org) {
  return `api/v1/orgs/${encodeURIComponent(org)}/members`;
}

/** memberNames maps each member's user id to a name, from the members answer. */
export function memberNames(answer) {
  const out = {};
  for (const m of list(answer)) {
    if (m && m.user_id != null) out[String(m.user_id)] = String(m.name || m.email || `User ${m.user_id}`);
  }
  return out;
}

/**
 * linkBoxHTML renders the one-time code that links the Azure DevOps user to a Cairn account,
 * with a link that opens Cairn's confirmation page again; confirmPath is the path Cairn sent.
 */
export function linkBoxHTML(base, code, confirmPath) {
  return `<div class="linkbox"><p>Confirm the code <strong class="code">${escapeHTML(code)}</strong> in the Cairn tab that opened, then come back here.</p>
<p>${link(cairnURL(base, confirmPath), "", "Open Cairn again")} · <button type="button" class="btn" data-action="recheck">I have confirmed it</button></p></div>`;
}

/** problemText turns an HTTP status and problem+json body into a sentence for the page. */
export function problemText(status, body) {
  const detail = body && typeof body === "object" && body.detail ? String(body.detail) : "";
  if (status === 401) {
    return {
      title: "Cairn refused this extension's token",
      detail: (detail ? detail + ". " : "") + "Ask your Cairn administrator to check that the extension's secret is set on Cairn (CAIRN_AZDO_EXTENSION_SECRET).",
    };
  }
  if (status === 403) return { title: "Not allowed", detail: detail || "Cairn does not allow this." };
  return { title: `Cairn answered ${status}`, detail: detail || "Try again in a moment." };
}
