// App passwords through the native API (GET/POST /api/v1/me/app-passwords, DELETE …/{id}).
const API = "/api/v1/me/app-passwords";
const csrf = document.querySelector("meta[name=csrf-token]").content;
const status = document.getElementById("app-passwords-status");
const list = document.getElementById("app-password-list");
const form = document.getElementById("app-password-form");
const fresh = document.getElementById("app-password-new");

async function call(method, url, body) {
  const answer = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "X-CSRF-Token": csrf, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!answer.ok) {
    const problem = await answer.json().catch(() => ({}));
    throw Object.assign(new Error(problem.detail || answer.statusText), { status: answer.status });
  }
  return answer.status === 204 ? null : answer.json();
}

function row(item) {
  const li = document.createElement("li");
  const used = item.last_used_at ? `last used ${item.last_used_at}` : "never used";
  li.append(`${item.label} (created ${item.created_at}, ${used}) `);
  const revoke = document.createElement("button");
  revoke.type = "button";
  revoke.className = "danger";
  revoke.textContent = `Revoke ${item.label}`;
  revoke.addEventListener("click", async () => {
    await call("DELETE", `${API}/${encodeURIComponent(item.id)}`);
    await refresh();
  });
  li.append(revoke);
  return li;
}

async function refresh() {
  try {
    const items = await call("GET", API);
    list.replaceChildren(...items.map(row));
    status.textContent = items.length ? "" : "No app passwords yet.";
    form.hidden = false;
  } catch (error) {
    status.textContent = error.status === 404
      ? "App passwords are not available on this server."
      : `App passwords could not be loaded: ${error.message}`;
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const label = new FormData(form).get("label");
  try {
    const made = await call("POST", API, { label });
    document.getElementById("app-password-value").value = made.password;
    fresh.hidden = false;
    form.reset();
    await refresh();
  } catch (error) {
    status.textContent = error.message;
  }
});

refresh();
