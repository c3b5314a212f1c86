// The Cairn page of the work item form. Its HTML comes from view.js, which escapes every
// value it places; this file only sets that HTML and plain text (textContent).
import * as SDK from "azure-devops-extension-sdk";
import { WORK_ITEM_FORM, LOCATION, getBaseURL, normalizeBaseURL, followTheme } from "./host.js";
import {
  pageHTML, checkInFormHTML, checkInPath, checkInBody, commentPath, membersPath, memberNames, itemKey, normalize, actionable,
  problemText, joinURL, linkBoxHTML, cairnURL, todayOf,
} from "./view.js";

const root = document.getElementById("root");
let state = { phase: "loading" };
let generation = 0;

function render() {
  root.innerHTML = pageHTML(state);
  root.dataset.phase = state.phase;
}

class HTTPError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function call(method, path, body) {
  const token = await SDK.getAppToken();
  let res;
  try {
    res = await fetch(joinURL(state.base, path), {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      credentials: "omit",
      mode: "cors",
    });
  } catch (e) {
    throw new HTTPError(0, { detail: `Cairn at ${state.base} could not be reached (${e.message}). Check its address under Project settings → Cairn, and that it allows this Azure DevOps origin.` });
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text.slice(0, 200) };
  }
  if (!res.ok) throw new HTTPError(res.status, data);
  return data;
}

function fail(e) {
  if (e instanceof HTTPError) {
    const p = e.status === 0 ? { title: "Cairn could not be reached", detail: e.body.detail } : problemText(e.status, e.body);
    state = { ...state, phase: "error", ...p };
  } else {
    state = { ...state, phase: "error", title: "Something went wrong", detail: String(e?.message ?? e) };
  }
  render();
}

async function refresh() {
  const mine = ++generation;
  try {
    const entered = await getBaseURL();
    if (!entered) {
      state = { phase: "unconfigured" };
      render();
      return;
    }
    let base;
    try {
      base = normalizeBaseURL(entered);
    } catch (e) {
      state = { phase: "error", title: "Cairn's address is not valid", detail: `Project settings → Cairn: ${e.message}.` };
      render();
      return;
    }
    const form = await SDK.getService(WORK_ITEM_FORM);
    const id = await form.getId();
    if (!id || id <= 0) {
      state = { phase: "unsaved", base };
      render();
      return;
    }
    if (state.phase !== "ready") {
      state = { phase: "loading", base };
      render();
    }
    const fields = await form.getFieldValues(["System.TeamProject", "System.Title"]);
    const location = await SDK.getService(LOCATION);
    const orgUrl = String(await location.getServiceLocation()).replace(/\/+$/, "");
    const workItem = { id, orgUrl, project: String(fields["System.TeamProject"] ?? ""), title: String(fields["System.Title"] ?? "") };
    state = { ...state, base };
    const q = new URLSearchParams({ "org-url": workItem.orgUrl, project: workItem.project, "work-item": String(id) });
    // Asking who the caller is first turns a refused token into one clear message.
    const me = await call("GET", "api/v1/azure-devops/extension/me");
    const alignment = await call("GET", "api/v1/azure-devops/alignment?" + q);
    if (mine !== generation) return;
    const chains = normalize(alignment);
    const linked = Boolean(me?.linked);
    const conversation = linked ? await conversations(chains) : {};
    if (mine !== generation) return;
    state = { phase: "ready", base, workItem, linked, user: me?.user ?? null, chains, addUrl: alignment?.add_url ?? "", today: todayOf(Date.now()), conversation };
    render();
  } catch (e) {
    if (mine === generation) fail(e);
  }
}

/**
 * conversations loads, for a linked user, the comments on each chain's actionable item and
 * the names of each organization's members, keyed by itemKey. An item whose comments
 * cannot be read is left out: the page still shows its chain.
 */
async function conversations(chains) {
  const out = {};
  const names = {};
  for (const chain of chains) {
    const item = actionable(chain);
    if (!item || Object.hasOwn(out, itemKey(chain.org, item))) continue;
    try {
      if (!Object.hasOwn(names, chain.org)) names[chain.org] = memberNames(await call("GET", membersPath(chain.org)));
      const answer = await call("GET", commentPath(chain.org, item));
      out[itemKey(chain.org, item)] = { comments: Array.isArray(answer?.items) ? answer.items : [], members: names[chain.org] };
    } catch {
      // Read-only without comments rather than no page at all.
    }
  }
  return out;
}

async function startLink(slot) {
  try {
    const user = SDK.getUser();
    const r = await call("POST", "api/v1/azure-devops/extension/link-codes", { azure_user_name: user.displayName ?? user.name ?? "" });
    slot.innerHTML = linkBoxHTML(state.base, r?.code, r?.confirm_path);
    const url = cairnURL(state.base, r?.confirm_path);
    if (url) window.open(url, "_blank", "noopener");
  } catch (e) {
    fail(e);
  }
}

function openForm(chainIndex, kind) {
  const chain = state.chains[chainIndex];
  const item = actionable(chain);
  const slot = root.querySelector(`.form-slot[data-chain="${chainIndex}"]`);
  if (!item || !slot) return;
  slot.innerHTML = checkInFormHTML(item, kind);
  const formEl = slot.querySelector("form");
  formEl.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const msg = formEl.querySelector(".form-msg");
    const data = new FormData(formEl);
    const body = kind === "check-in" ? checkInBody(item, data) : { body: String(data.get("note") ?? "") };
    if (kind === "check-in" && !Number.isFinite(body.value)) {
      msg.textContent = "Enter a number.";
      return;
    }
    msg.textContent = "Saving…";
    try {
      await call("POST", kind === "check-in" ? checkInPath(chain.org, item) : commentPath(chain.org, item), body);
      msg.textContent = "Saved.";
      await refresh();
    } catch (e) {
      msg.textContent = e instanceof HTTPError ? (e.body?.detail ?? `Cairn answered ${e.status}`) : String(e);
    }
  });
  formEl.querySelector("[name=value], [name=note]")?.focus();
}

root.addEventListener("click", (ev) => {
  const btn = ev.target.closest("[data-action]");
  if (!btn) return;
  const action = btn.dataset.action;
  if (action === "retry" || action === "recheck") refresh();
  else if (action === "link") startLink(root.querySelector(".link-slot"));
  else if (action === "check-in" || action === "comment") openForm(Number(btn.dataset.chain), action);
  else if (action === "cancel") btn.closest("form")?.remove();
});

render();
followTheme();
SDK.init({ loaded: false, applyTheme: true }).then(() => {
  SDK.register(SDK.getContributionId(), () => ({
    onLoaded: () => refresh(),
    onSaved: () => refresh(),
    onRefreshed: () => refresh(),
    onReset: () => refresh(),
    onUnloaded: () => {},
  }));
  SDK.notifyLoadSucceeded();
  return refresh();
});
