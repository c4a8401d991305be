// Uploads by picker or drag and drop (files and whole folders) over tus, several at once,
// a progress bar per file and overall; an upload cut by a network drop retries, and one cut
// by a reload resumes where it stopped when the same file is chosen again.
import { refreshListing } from "./listing.js";

const section = document.getElementById("upload");
const pod = section.dataset.pod;
const folder = section.dataset.folder;
const chunkSize = Number(section.dataset.chunkSize);
const csrf = document.querySelector("meta[name=csrf-token]").content;
const endpoint = `/api/v1/pods/${encodeURIComponent(pod)}/tus/`;
const list = document.getElementById("uploads");
const overall = document.getElementById("overall");
const overallText = document.getElementById("overall-text");
const PARALLEL = 3;
const items = [];

const target = (relative) => (folder ? `${folder}/${relative}` : relative);

function addRow(item) {
  const li = document.createElement("li");
  const label = document.createElement("label");
  label.append(item.relative, " ");
  item.bar = document.createElement("progress");
  item.bar.max = 100;
  item.bar.value = 0;
  item.text = document.createElement("output");
  item.text.textContent = "waiting";
  label.append(item.bar, " ", item.text);
  li.append(label);
  li.dataset.path = item.relative;
  item.row = li;
  list.append(li);
}

function showOverall() {
  const total = items.reduce((sum, item) => sum + item.file.size, 0);
  const sent = items.reduce((sum, item) => sum + item.sent, 0);
  const percent = total ? Math.floor((sent * 100) / total) : 100;
  overall.value = percent;
  overallText.textContent = `${percent}%`;
}

function problemOf(error) {
  const response = error.originalResponse;
  if (!response) return "the connection failed";
  try {
    const body = JSON.parse(response.getBody());
    return body.detail || body.title || `error ${response.getStatus()}`;
  } catch {
    return `error ${response.getStatus()}`;
  }
}

function run(item) {
  return new Promise((resolve) => {
    const upload = new tus.Upload(item.file, {
      endpoint,
      chunkSize,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      headers: { "X-CSRF-Token": csrf },
      metadata: { path: target(item.relative), filetype: item.file.type || "" },
      fingerprint: async (file) =>
        ["podstore", pod, target(item.relative), file.size, file.lastModified].join("|"),
      removeFingerprintOnSuccess: true,
      onShouldRetry: (error) => {
        // a dropped connection or a busy server: again; a refusal (quota, a folder of that
        // name, no permission): shown at once
        const status = error.originalResponse ? error.originalResponse.getStatus() : 0;
        const patching = error.originalRequest && error.originalRequest.getMethod() === "PATCH";
        return status === 0 || (status === 409 && patching) || [423, 429, 502, 503, 504].includes(status);
      },
      onProgress: (sent, total) => {
        item.sent = sent;
        const percent = total ? Math.floor((sent * 100) / total) : 100;
        if (item.resumed && item.resumedAt === undefined) {
          item.resumedAt = percent;
          item.row.dataset.resumedAt = String(percent);
        }
        item.bar.value = percent;
        item.text.textContent = `${percent}%${item.resumedAt !== undefined ? ` (resumed at ${item.resumedAt}%)` : ""}`;
        showOverall();
      },
      onSuccess: () => {
        item.sent = item.file.size;
        item.bar.value = 100;
        item.text.textContent = "done";
        item.row.dataset.state = "done";
        showOverall();
        resolve(true);
      },
      onError: (error) => {
        item.text.textContent = `failed: ${problemOf(error)}`;
        item.row.dataset.state = "failed";
        item.row.classList.add("error");
        resolve(false);
      },
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous.length) {
        const last = previous[previous.length - 1];
        upload.resumeFromPreviousUpload(last);
        item.resumed = true;
      }
      item.text.textContent = "starting";
      upload.start();
    });
    item.upload = upload;
  });
}

async function uploadAll(chosen) {
  if (!chosen.length) return;
  document.getElementById("progress").hidden = false;
  const fresh = chosen.map(({ file, relative }) => ({ file, relative, sent: 0 }));
  for (const item of fresh) {
    items.push(item);
    addRow(item);
  }
  showOverall();
  let next = 0;
  const worker = async () => {
    while (next < fresh.length) await run(fresh[next++]);
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  await refreshListing();
  section.dataset.state = fresh.every((item) => item.row.dataset.state === "done") ? "done" : "failed";
}

function fromInput(input) {
  return [...input.files].map((file) => ({ file, relative: file.webkitRelativePath || file.name }));
}

async function readEntry(entry, prefix, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, relative: prefix + entry.name });
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const child of batch) await readEntry(child, `${prefix}${entry.name}/`, out);
    }
  }
}

async function fromDrop(transfer) {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry());
  if (!entries.length || entries.some((entry) => !entry)) {
    return [...transfer.files].map((file) => ({ file, relative: file.webkitRelativePath || file.name }));
  }
  const out = [];
  for (const entry of entries) await readEntry(entry, "", out);
  return out;
}

for (const id of ["pick-files", "pick-folder"]) {
  const input = document.getElementById(id);
  input.addEventListener("change", () => {
    uploadAll(fromInput(input));
    input.value = "";
  });
}

const zone = document.getElementById("dropzone");
for (const name of ["dragenter", "dragover"]) {
  document.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
}
document.addEventListener("dragleave", () => zone.classList.remove("over"));
document.addEventListener("drop", async (event) => {
  event.preventDefault();
  zone.classList.remove("over");
  uploadAll(await fromDrop(event.dataTransfer));
});
