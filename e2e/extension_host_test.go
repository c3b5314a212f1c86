package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"testing"
	"time"
)

// extensionHost plays the Azure DevOps host for the extension's page: its HTML holds the
// work item form's frame and answers the SDK's XDM messages (the handshake, app and
// access tokens, and the work item form, location and extension data services).
type extensionHost struct {
	// dist is the folder of the built extension, served under /ext/.
	dist string
	// cfg returns the host's settings for one page load.
	cfg func(r *http.Request) hostConfig
}

// hostConfig is what the host tells the extension.
type hostConfig struct {
	WorkItemID int    `json:"workItemId"`
	Title      string `json:"title"`
	Type       string `json:"type"`
	Project    string `json:"project"`
	OrgURL     string `json:"orgUrl"`
	CairnURL   string `json:"cairnUrl"`
	AppToken   string `json:"appToken"`
	Dark       bool   `json:"dark"`
	UserName   string `json:"userName"`
}

func (h *extensionHost) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /ext/", http.StripPrefix("/ext/", http.FileServer(http.Dir(h.dist))))
	mux.HandleFunc("GET /host.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		cfg := h.cfg(r)
		if err := hostPage.Execute(w, struct {
			Config hostConfig
			Title  string
		}{cfg, cfg.Title}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	return mux
}

// signAppToken signs an app token as Azure DevOps does: HS256 with the extension's secret,
// nameid the user, valid for lifetime from now.
func signAppToken(tb testing.TB, secret, nameID string, now time.Time, lifetime time.Duration) string {
	tb.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(map[string]string{"typ": "JWT", "alg": "HS256"}) + "." + enc(map[string]any{
		"nameid": nameID, "tid": "5e1b7a4e-0000-4000-8000-0000000000aa",
		"iss": "app.vstoken.visualstudio.com", "aud": "app.vstoken.visualstudio.com|vso:5e1b7a4e-0000-4000-8000-0000000000aa",
		"nbf": now.Unix(), "exp": now.Add(lifetime).Unix(),
	})
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var hostPage = template.Must(template.New("host").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} - Boards</title>
<style>
body{margin:0;font:14px "Segoe UI",system-ui,sans-serif;background:{{if .Config.Dark}}#1b1a19{{else}}#f8f8f8{{end}};color:{{if .Config.Dark}}#fff{{else}}#201f1e{{end}}}
.bar{height:40px;background:{{if .Config.Dark}}#252423{{else}}#fff{{end}};border-bottom:1px solid rgba(128,128,128,.25);display:flex;align-items:center;padding:0 16px;font-weight:600}
.form{margin:16px;background:{{if .Config.Dark}}#201f1e{{else}}#fff{{end}};box-shadow:0 1px 3px rgba(0,0,0,.15);border-radius:4px}
.head{padding:12px 20px 0;border-left:6px solid #009ccc}
.kind{font-size:12px;text-transform:uppercase;color:#888}
h1{font-size:20px;margin:4px 0 12px;font-weight:600}
.tabs{display:flex;gap:24px;padding:0 20px;border-bottom:1px solid rgba(128,128,128,.25)}
.tab{padding:8px 0;color:#888}.tab.on{color:inherit;border-bottom:2px solid #0078d4;font-weight:600}
iframe{border:0;width:100%;height:460px;display:block}
</style></head><body>
<div class="bar">Fabrikam Fiber / Boards / Work items</div>
<div class="form">
<div class="head"><div class="kind">{{.Config.Type}} {{.Config.WorkItemID}}</div><h1>{{.Title}}</h1></div>
<div class="tabs"><span class="tab">Details</span><span class="tab">History</span><span class="tab on">Cairn</span></div>
<iframe id="ext" src="/ext/page.html" title="Cairn"></iframe>
</div>
<script>
const cfg = {{.Config}};
const frame = document.getElementById("ext");
const dark = {
  "background-color": "rgba(32, 31, 30, 1)", "text-primary-color": "rgba(255, 255, 255, 0.87)",
  "text-secondary-color": "rgba(255, 255, 255, 0.6)", "palette-black-alpha-10": "rgba(255, 255, 255, 0.12)",
  "palette-black-alpha-6": "rgba(255, 255, 255, 0.08)", "communication-background": "rgba(40, 153, 245, 1)",
  "callout-background-color": "rgba(37, 36, 35, 1)"
};
const light = { "background-color": "rgba(255, 255, 255, 1)", "text-primary-color": "rgba(0, 0, 0, 0.9)", "communication-background": "rgba(0, 120, 212, 1)" };
const contributionId = "cairn-okr.cairn-okr.cairn-work-item-page";
const data = { "cairn-base-url": cfg.cairnUrl };
const proxies = {};
let nextProxy = 1, nextId = 1, handshake = null;
const pending = {};
window.hostLog = [];
function proxy(fn) { const id = nextProxy++; proxies["proxy" + id] = fn; return { __proxyFunctionId: id, _channelId: 1 }; }
function service(obj) { const out = {}; for (const k of Object.keys(obj)) out[k] = proxy(obj[k]); return out; }
const services = {
  "ms.vss-work-web.work-item-form": {
    getId: () => cfg.workItemId,
    getFieldValue: (name) => ({ "System.TeamProject": cfg.project, "System.Title": cfg.title, "System.WorkItemType": cfg.type })[name],
    getFieldValues: (names) => Object.fromEntries(names.map((n) => [n, ({ "System.TeamProject": cfg.project, "System.Title": cfg.title, "System.WorkItemType": cfg.type })[n]])),
  },
  "ms.vss-features.location-service": { getServiceLocation: () => cfg.orgUrl + "/" },
  "ms.vss-features.extension-data-service": {
    getExtensionDataManager: () => service({
      getValue: (key, opts) => (key in data ? data[key] : (opts && opts.defaultValue)),
      setValue: (key, value) => { data[key] = value; return value; },
    }),
  },
};
const objects = {
  "DevOps.HostControl": {
    initialHandshake: () => ({
      contributionId,
      context: {
        extension: { id: "cairn-okr.cairn-okr", publisherId: "cairn-okr", extensionId: "cairn-okr", version: "0.1.0" },
        user: { id: "8c3b0b5e-6a8c-4f3e-9d55-3f7e2a9b1c01", name: cfg.userName, displayName: cfg.userName, descriptor: "aad.harness", imageUrl: "" },
        host: { id: "5e1b7a4e-0000-4000-8000-0000000000aa", name: "fabrikam", serviceVersion: "harness", type: 4, isHosted: true },
      },
      initialConfig: {},
      themeData: cfg.dark ? dark : light,
    }),
    getAppToken: () => ({ token: cfg.appToken }),
    getAccessToken: () => ({ token: "harness-access-token" }),
    notifyLoadSucceeded: () => { document.body.dataset.loaded = "ok"; callExtension("onLoaded", [{ id: cfg.workItemId, isNew: false, isReadOnly: false }]); },
    notifyLoadFailed: (e) => { document.body.dataset.loaded = "failed"; },
  },
  "DevOps.ServiceManager": {
    getService: (id) => { if (!services[id]) throw new Error("the harness has no service " + id); return service(services[id]); },
  },
  "__proxyFunctions": proxies,
};
function post(msg) { frame.contentWindow.postMessage(JSON.stringify(msg), "*"); }
function callExtension(methodName, params) {
  const id = nextId++;
  post({ id, methodName, instanceId: contributionId, params, handshakeToken: handshake });
  return new Promise((resolve, reject) => { pending[id] = { resolve, reject }; });
}
window.harnessSave = () => callExtension("onSaved", [{ id: cfg.workItemId }]);
window.addEventListener("message", async (ev) => {
  if (ev.source !== frame.contentWindow || typeof ev.data !== "string") return;
  let m;
  try { m = JSON.parse(ev.data); } catch { return; }
  if (m.handshakeToken) handshake = m.handshakeToken;
  if (!m.instanceId) {
    const p = pending[m.id];
    if (p) { delete pending[m.id]; m.error ? p.reject(m.error) : p.resolve(m.result); }
    return;
  }
  window.hostLog.push(m.instanceId + "." + m.methodName);
  const reply = (body) => post(Object.assign({ id: m.id, handshakeToken: m.handshakeToken }, body));
  const obj = objects[m.instanceId];
  const fn = obj && obj[m.methodName];
  if (typeof fn !== "function") { reply({ error: { message: "the harness has no " + m.instanceId + "." + m.methodName } }); return; }
  try { reply({ result: await fn.apply(obj, m.params || []) }); }
  catch (e) { reply({ error: { message: String((e && e.message) || e) } }); }
});
</script>
</body></html>`))
