// Project settings → Cairn: where an administrator enters the address of the Cairn server.
import * as SDK from "azure-devops-extension-sdk";
import { getBaseURL, setBaseURL, normalizeBaseURL, followTheme } from "./host.js";

const form = document.getElementById("settings");
const input = document.getElementById("base-url");
const msg = document.getElementById("msg");
const origin = document.getElementById("origin");

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  let url;
  try {
    url = normalizeBaseURL(input.value);
  } catch (e) {
    msg.textContent = e.message;
    msg.className = "form-msg bad";
    return;
  }
  msg.textContent = "Saving…";
  msg.className = "form-msg";
  try {
    await setBaseURL(url);
    input.value = url;
    msg.textContent = "Saved. Work items now show their Cairn page.";
  } catch (e) {
    msg.textContent = `Could not save: ${e?.message ?? e}. Only project administrators may change this.`;
    msg.className = "form-msg bad";
  }
});

followTheme();
SDK.init({ loaded: false, applyTheme: true }).then(async () => {
  origin.textContent = window.location.ancestorOrigins?.[0] ?? document.referrer.replace(/^(https?:\/\/[^/]+).*$/, "$1") ?? "";
  try {
    input.value = await getBaseURL();
  } catch (e) {
    msg.textContent = `Could not read the setting: ${e?.message ?? e}`;
  }
  SDK.notifyLoadSucceeded();
});
