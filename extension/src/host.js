// The calls into the Azure DevOps host that both pages share.
import * as SDK from "azure-devops-extension-sdk";

/** Service ids of the Azure DevOps host. */
export const WORK_ITEM_FORM = "ms.vss-work-web.work-item-form";
export const EXTENSION_DATA = "ms.vss-features.extension-data-service";
export const LOCATION = "ms.vss-features.location-service";
export const PROJECT_PAGE = "ms.vss-tfs-web.tfs-page-data-service";

/** BASE_URL_KEY names the setting, kept by the extension data service, with Cairn's URL. */
export const BASE_URL_KEY = "cairn-base-url";

async function dataManager() {
  const svc = await SDK.getService(EXTENSION_DATA);
  return svc.getExtensionDataManager(SDK.getExtensionContext().id, await SDK.getAccessToken());
}

/** normalizeBaseURL checks and trims an entered Cairn URL; it throws on a bad one. */
export function normalizeBaseURL(raw) {
  const s = String(raw ?? "").trim();
  let u;
  try {
    u = new URL(s);
  } catch {
    throw new Error("Enter a full address, such as https://cairn.example.com");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("The address must start with https://");
  if (u.search || u.hash) throw new Error("The address must not have a query or a fragment");
  return (u.origin + u.pathname).replace(/\/+$/, "");
}

/** getBaseURL returns Cairn's URL as the administrator entered it, or "". */
export async function getBaseURL() {
  const m = await dataManager();
  const v = await m.getValue(BASE_URL_KEY, { scopeType: "Default", defaultValue: "" });
  return typeof v === "string" ? v : "";
}

/** setBaseURL stores Cairn's URL for the whole organization. */
export async function setBaseURL(url) {
  const m = await dataManager();
  return m.setValue(BASE_URL_KEY, url, { scopeType: "Default" });
}

/** followTheme marks the document dark when the host's theme has a dark background, so that
 * the status colours keep their contrast. */
export function followTheme() {
  const apply = () => {
    const bg = getComputedStyle(document.documentElement).getPropertyValue("--background-color");
    const m = bg.match(/rgba?\(\s*(\d+)[ ,]+(\d+)[ ,]+(\d+)/);
    const dark = m ? 0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3] < 128 : false;
    document.documentElement.dataset.theme = dark ? "dark" : "light";
  };
  window.addEventListener("themeApplied", apply);
  apply();
}
