// The folder's rows fetched again and put in place, keeping what was selected.
let pending = null;

async function refresh() {
  const answer = await fetch(location.href, { credentials: "same-origin" });
  if (!answer.ok) return;
  const page = new DOMParser().parseFromString(await answer.text(), "text/html");
  const rows = page.getElementById("rows");
  const current = document.getElementById("rows");
  if (!rows || !current) return;
  const chosen = new Set(
    [...current.querySelectorAll("input[name=path]:checked")].map((box) => box.value),
  );
  for (const box of rows.querySelectorAll("input[name=path]")) box.checked = chosen.has(box.value);
  current.replaceWith(rows);
  if (window.htmx) window.htmx.process(rows);
  document.body.dispatchEvent(new CustomEvent("htmx:afterSwap", { bubbles: true }));
}

export function refreshListing() {
  // several changes in a burst (a folder upload) become one refresh
  if (!pending) {
    pending = new Promise((resolve) => setTimeout(resolve, 250))
      .then(refresh)
      .finally(() => { pending = null; });
  }
  return pending;
}
