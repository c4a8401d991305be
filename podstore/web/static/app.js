// Small behaviours every page may use: copy buttons, select-all with shift-click ranges,
// filter-as-you-type, text previews (shown as text, never as HTML), picture fallbacks.

function copyButtons(root) {
  for (const button of root.querySelectorAll("[data-copy]")) {
    if (button.dataset.bound) continue;
    button.dataset.bound = "1";
    button.addEventListener("click", async () => {
      const source = document.querySelector(button.dataset.copy);
      const value = "value" in source ? source.value : source.textContent;
      try {
        await navigator.clipboard.writeText(value.trim());
      } catch {
        if (source.select) source.select();
        document.execCommand("copy");
      }
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = label; }, 1500);
    });
  }
}

function selection() {
  const all = document.querySelector("[data-select-all]");
  if (!all) return;
  const body = () => document.querySelector(all.dataset.selectAll);  // replaced on refresh
  const count = document.getElementById("selected-count");
  const boxes = () => [...body().querySelectorAll("input[type=checkbox][name=path]")]
    .filter((box) => !box.closest("tr").hidden);
  const update = () => {
    const chosen = boxes().filter((box) => box.checked).length;
    if (count) count.textContent = `${chosen} selected`;
    all.checked = chosen > 0 && chosen === boxes().length;
    all.indeterminate = chosen > 0 && chosen < boxes().length;
  };
  let last = null;
  all.addEventListener("change", () => {
    for (const box of boxes()) box.checked = all.checked;
    update();
  });
  document.addEventListener("click", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.name !== "path" || !body().contains(box)) return;
    const list = boxes();
    if (event.shiftKey && last && list.includes(last)) {
      const [a, b] = [list.indexOf(last), list.indexOf(box)].sort((x, y) => x - y);
      for (const other of list.slice(a, b + 1)) other.checked = box.checked;
    }
    last = box;
    update();
  });
  document.body.addEventListener("htmx:afterSwap", update);
  update();
}

function filters() {
  for (const input of document.querySelectorAll("[data-filter]")) {
    const apply = () => {
      const words = input.value.trim().toLowerCase();
      for (const row of document.querySelector(input.dataset.filter).querySelectorAll("tr[data-name]")) {
        row.hidden = words !== "" && !row.dataset.name.includes(words);
      }
    };
    input.addEventListener("input", apply);
    document.body.addEventListener("htmx:afterSwap", apply);
  }
}

async function textPreviews() {
  for (const pre of document.querySelectorAll("[data-text-src]")) {
    const answer = await fetch(pre.dataset.textSrc, { credentials: "same-origin" });
    pre.textContent = answer.ok ? await answer.text() : "The preview could not be loaded.";
  }
}

// a picture that cannot be shown (a thumbnail the server could not make) shows its fallback
function useFallback(image) {
  const fallback = image.dataset.fallback;
  if (!fallback) return;
  delete image.dataset.fallback;
  image.classList.remove("thumb");
  image.src = fallback;
}

function fallbacks() {
  document.addEventListener("error", (event) => {
    if (event.target instanceof HTMLImageElement) useFallback(event.target);
  }, true);
  for (const image of document.querySelectorAll("img[data-fallback]")) {
    if (image.complete && image.naturalWidth === 0 && image.currentSrc) useFallback(image);
  }
}

fallbacks();
copyButtons(document);
selection();
filters();
textPreviews();
document.body.addEventListener("htmx:afterSwap", (event) => copyButtons(event.target));
